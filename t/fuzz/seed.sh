#!/bin/sh
# Write seed inputs for the fuzz targets: t/fuzz/seed.sh <dir> makes
# <dir>/<target>/ for each target, with representative inputs of each
# format (as the tools write them, and as the t/*.sh fixtures build
# them) and the JSON-looking lines of the test scripts. Nothing here
# is committed: run.sh calls it into its work directory.
set -eu

test $# = 1 || { echo "usage: $0 <dir>" >&2; exit 129; }
out=$1
top=$(cd "$(dirname "$0")/../.." && pwd)

# seed <target> <name>: stdin to <out>/<target>/<name>
seed () {
	mkdir -p "$out/$1"
	cat >"$out/$1/$2"
}

# printf with a leading selector byte, given in octal
seedb () {
	mkdir -p "$out/$1"
	printf "\\$3" >"$out/$1/$2"
	cat >>"$out/$1/$2"
}

# --- Claude Code --------------------------------------------------------
seed claude transcript <<'EOF'
{"type":"user","cwd":"/w/proj","sessionId":"sess-a","timestamp":"2025-12-20T10:00:00.000Z","message":{"role":"user","content":"hi"}}
{"parentUuid":null,"isSidechain":false,"cwd":"/w/proj","sessionId":"sess-a","version":"2.1.39","type":"assistant","timestamp":"2025-12-20T10:00:01.000Z","requestId":"req_a1","message":{"model":"claude-sonnet-4-5-20250929","id":"msg_a1","type":"message","role":"assistant","content":[{"type":"text","text":"ok"}],"usage":{"input_tokens":3,"output_tokens":10,"cache_creation_input_tokens":613,"cache_read_input_tokens":50973,"cache_creation":{"ephemeral_5m_input_tokens":600,"ephemeral_1h_input_tokens":13},"service_tier":"standard"}}}
{"parentUuid":null,"isSidechain":false,"cwd":"/w/proj","sessionId":"sess-a","type":"assistant","timestamp":"2025-12-20T10:00:02.000Z","requestId":"req_a1","message":{"model":"claude-sonnet-4-5-20250929","id":"msg_a1","usage":{"input_tokens":3,"output_tokens":299,"cache_creation_input_tokens":613,"cache_read_input_tokens":50973,"speed":"fast"}},"costUSD":0.0123}
{"type":"user","cwd":"/w/proj","sessionId":"sess-a","timestamp":"2025-12-20T10:00:03.000Z","message":{"role":"user","content":[{"type":"tool_result","content":"[main 1a2b3c4] fix: the thing\n 1 file changed, 2 insertions(+)"}]}}
{"type":"progress","cwd":"/w/proj","sessionId":"sess-a","timestamp":"2025-12-20T10:00:04.000Z","data":{"type":"agent_progress","message":{"type":"assistant","timestamp":"2025-12-20T10:00:04.000Z","requestId":"req_s1","message":{"model":"claude-haiku-4-5","id":"msg_s1","usage":{"input_tokens":5,"output_tokens":7}}}}}
{"type":"assistant","isSidechain":true,"isApiErrorMessage":true,"timestamp":"2025-12-20T10:00:05.000Z","message":{"model":"<synthetic>","id":"msg_e","usage":{"input_tokens":0,"output_tokens":0}}}
{"type":"summary","summary":"x","leafUuid":"u1"}
EOF
printf '%s' '{"type":"assistant","timestamp":"2025-12-20T10:00:01Z","message":{"id":"m","usage":{"input_tokens":1,"output_tokens":2}}' |
	seed claude partial

# --- Codex --------------------------------------------------------------
seed codex rollout <<'EOF'
{"timestamp":"2025-12-20T10:00:00.000Z","type":"session_meta","payload":{"id":"0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b","timestamp":"2025-12-20T10:00:00.000Z","cwd":"/w/proj","originator":"codex_cli_rs","cli_version":"0.63.0","source":"cli"}}
{"timestamp":"2025-12-20T10:00:01.000Z","type":"turn_context","payload":{"cwd":"/w/proj","approval_policy":"on-request","model":"gpt-5-codex","effort":"medium"}}
{"timestamp":"2025-12-20T10:00:02.000Z","type":"event_msg","payload":{"type":"token_count","info":null,"rate_limits":{"primary":{"used_percent":1.0}}}}
{"timestamp":"2025-12-20T10:00:03.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":1000,"cached_input_tokens":800,"output_tokens":50,"reasoning_output_tokens":20,"total_tokens":1050},"last_token_usage":{"input_tokens":1000,"cached_input_tokens":800,"output_tokens":50,"reasoning_output_tokens":20,"total_tokens":1050},"model_context_window":272000}}}
{"timestamp":"2025-12-20T10:00:04.000Z","type":"response_item","payload":{"type":"function_call_output","call_id":"c1","output":"[main 1a2b3c4] feat: x\n 1 file changed"}}
{"timestamp":"2025-12-20T10:00:05.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":500,"cached_input_tokens":0,"output_tokens":5,"reasoning_output_tokens":0,"total_tokens":505},"last_token_usage":{"input_tokens":500,"output_tokens":5}}}}
EOF
seed codex fork <<'EOF'
{"timestamp":"2025-12-20T11:00:00.000Z","type":"session_meta","payload":{"id":"0199a1b2-0000-7e5f-8a9b-0c1d2e3f4a5b","cwd":"/w/proj","forked_from_id":"0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b","source":{"subagent":"review"}}}
{"timestamp":"2025-12-20T11:00:00.100Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":10,"output_tokens":1}}}}
{"timestamp":"2025-12-20T11:00:05.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":30,"output_tokens":3,"total_tokens":33}}}}
EOF
seed codex-exec run <<'EOF'
{"type":"thread.started","thread_id":"0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5e"}
{"type":"turn.started"}
{"type":"item.completed","item":{"id":"item_0","type":"agent_message","text":"done"}}
{"type":"turn.completed","usage":{"input_tokens":24763,"cached_input_tokens":24448,"output_tokens":122}}
{"type":"turn.completed","usage":{"input_tokens":30000,"cached_input_tokens":25000,"output_tokens":300}}
EOF

# --- Gemini CLI ---------------------------------------------------------
hash=0000000000000000000000000000000000000000000000000000000000000000
seed gemini-json chat <<EOF
{"sessionId":"sess-b","projectHash":"$hash","startTime":"2025-12-20T10:00:00.000Z","lastUpdated":"2025-12-20T10:01:00.000Z","messages":[{"id":"m1","timestamp":"2025-12-20T10:00:00.000Z","type":"user","content":"hi"},{"id":"m2","timestamp":"2025-12-20T10:00:05.000Z","type":"gemini","content":"ok","model":"gemini-2.5-pro","tokens":{"input":1200,"output":30,"cached":200,"thoughts":12,"tool":3,"total":1245}},{"id":"m2","timestamp":"2025-12-20T10:00:06.000Z","type":"gemini","model":"gemini-2.5-pro","tokens":{"prompt":10,"candidates":2}}]}
EOF
seed gemini-jsonl chat <<EOF
{"sessionId":"sess-c","projectHash":"$hash","startTime":"2025-12-20T10:00:00.000Z","kind":"main"}
{"id":"m1","timestamp":"2025-12-20T10:00:00.000Z","type":"user","content":[{"text":"hi"}]}
{"id":"m2","timestamp":"2025-12-20T10:00:05.000Z","type":"gemini","content":"","model":"gemini-2.5-flash","tokens":{"input":100,"output":0,"cached":0,"thoughts":0,"tool":0,"total":100}}
{"id":"m2","timestamp":"2025-12-20T10:00:06.000Z","type":"gemini","content":"ok","model":"gemini-2.5-flash","tokens":{"input":100,"output":25,"cached":40,"thoughts":7,"tool":0,"total":132}}
{"\$set":{"lastUpdated":"2025-12-20T10:01:00.000Z","sessionId":"sess-c"}}
{"\$rewindTo":"m1"}
EOF

# --- aider --------------------------------------------------------------
seed aider history <<'EOF'

# aider chat started at 2025-12-20 10:00:00

> /usr/bin/aider --model sonnet
> Aider v0.86.1
> Main model: anthropic/claude-sonnet-4-5-20250929 with diff edit format, infinite output
> Weak model: anthropic/claude-haiku-4-5

#### fix the bug

> Tokens: 2.4k sent, 1,024 cache write, 12k cache hit, 104 received. Cost: $0.0042 message, $0.02 session.
> Applied edit to x.c
> Commit 1a2b3c4 fix: the bug
> Tokens: 12k sent, 2.5k received.
> Cost: $0.05 message, $0.07 session.

# aider chat started at 2025-12-21 09:30:00
> Model: gpt-5 with whole edit format
> Tokens: 5,244 sent, 33 cached, 1.5M received. Cost: $1.00 request
> Commit deadbeefcafe feat: more
EOF

# --- OpenCode -----------------------------------------------------------
seed opencode message <<'EOF'
{"id":"msg_01","sessionID":"ses_01","role":"assistant","time":{"created":1766224800000,"completed":1766224805000},"modelID":"claude-sonnet-4-5","providerID":"anthropic","mode":"build","path":{"cwd":"/w/proj","root":"/w/proj"},"cost":0.0123,"tokens":{"input":10,"output":200,"reasoning":30,"cache":{"read":4000,"write":500}},"finish":"stop"}
EOF
seed opencode user <<'EOF'
{"id":"msg_00","sessionID":"ses_01","role":"user","time":{"created":1766224790000}}
EOF

# --- Copilot CLI --------------------------------------------------------
seed copilot otel <<'EOF'
{"type":"metric","name":"gen_ai.client.token.usage"}
{"type":"span","traceId":"t1","spanId":"s1","name":"chat claude-sonnet-4.5","startTime":[1766224800,133000000],"endTime":[1766224804,967317833],"attributes":{"gen_ai.operation.name":"chat","gen_ai.response.model":"claude-sonnet-4.5","gen_ai.conversation.id":"sess-a","gen_ai.usage.input_tokens":19452,"gen_ai.usage.output_tokens":281,"gen_ai.usage.cache_read.input_tokens":123,"gen_ai.usage.cache_creation.input_tokens":"40"}}
{"type":"span","traceId":"t1","spanId":"a1","name":"invoke_agent copilot","endTime":[1766224805,0],"attributes":{"gen_ai.operation.name":"invoke_agent","gen_ai.usage.input_tokens":19452,"gen_ai.usage.output_tokens":281}}
{"hrTime":[1766224806,0],"spanContext":{"traceId":"t2","spanId":"l1","traceFlags":1},"attributes":{"event.name":"copilot_chat.agent.turn","turn.index":3,"gen_ai.usage.input_tokens":120,"gen_ai.usage.output_tokens":9},"_body":"copilot_chat.agent.turn: 3"}
{"hrTime":[1766224807,0],"spanContext":{"traceId":"t3","spanId":"i1"},"attributes":{"event.name":"gen_ai.client.inference.operation.details","gen_ai.request.model":"gpt-5.1","gen_ai.usage.input_tokens":42,"gen_ai.usage.output_tokens":7},"_body":"GenAI inference: gpt-5.1"}
EOF

# --- Cline, Roo Code, Kilo Code ------------------------------------------
seed cline ui_messages <<'EOF'
[{"ts":1766224800000,"type":"say","say":"task","text":"fix it"},
{"ts":1766224801000,"type":"say","say":"api_req_started","text":"{\"request\":\"<task>fix it</task>\",\"tokensIn\":12,\"tokensOut\":300,\"cacheWrites\":11200,\"cacheReads\":0,\"cost\":0.04}","modelInfo":{"modelId":"claude-sonnet-4-5","providerId":"anthropic","mode":"act"}},
{"ts":1766224802000,"type":"say","say":"api_req_started","text":"{\"request\":\"...\",\"cancelReason\":\"user_cancelled\"}"},
{"ts":1766224803000,"type":"say","say":"api_req_started","text":"{\"apiProtocol\":\"anthropic\",\"tokensIn\":20000,\"tokensOut\":500,\"cacheWrites\":1000,\"cacheReads\":18000}"}]
EOF

# --- Amp ----------------------------------------------------------------
seed amp thread <<'EOF'
{"v":3,"id":"T-abc","env":{"initial":{"trees":[{"uri":"file:///w/my%20proj"}]}},"messages":[{"role":"user","messageId":0},{"role":"assistant","messageId":1,"usage":{"model":"claude-sonnet-4-5","inputTokens":12,"outputTokens":340,"cacheCreationInputTokens":4100,"cacheReadInputTokens":20000,"totalInputTokens":24112,"timestamp":"2025-12-20T10:00:05.000Z"}}],"~debug":{"lastInferenceUsage":{"inputTokens":12}}}
EOF
seed amp ledger <<'EOF'
{"id":"T-led","messages":[{"role":"assistant","messageId":1,"usage":{"cacheReadInputTokens":900}}],"usageLedger":{"events":[{"id":"ev-1","timestamp":"2025-12-20T07:00:00.000Z","model":"gpt-5","tokens":{"input":50,"output":60},"toMessageId":1},{"id":"ev-2","timestamp":"2025-12-20T07:05:00Z","model":"gpt-5","tokens":{"input":5,"output":6},"toMessageId":"x"}]}}
EOF

# --- Qwen Code ----------------------------------------------------------
seed qwen chat <<'EOF'
{"uuid":"u1","sessionId":"s1","timestamp":"2025-12-20T10:00:00.000Z","type":"user","cwd":"/w/proj","message":{"role":"user","parts":[{"text":"hi"}]}}
{"uuid":"a1","sessionId":"s1","timestamp":"2025-12-20T10:00:05.000Z","type":"assistant","cwd":"/w/proj","model":"qwen3-coder-plus","usageMetadata":{"promptTokenCount":12000,"candidatesTokenCount":300,"thoughtsTokenCount":120,"cachedContentTokenCount":9000,"totalTokenCount":12300}}
{"uuid":"t1","sessionId":"s1","timestamp":"2025-12-20T10:00:05.000Z","type":"system","subtype":"ui_telemetry","systemPayload":{"uiEvent":{"event.name":"qwen-code.api_response","input_token_count":12000}}}
{"uuid":"a2","sessionId":"s1","timestamp":"2025-12-20T10:01:00.000Z","type":"assistant","model":"qwen3-coder-flash","usageMetadata":{"promptTokenCount":1508,"candidatesTokenCount":205,"cachedContentTokenCount":4864}}
{"uuid":"a2","sessionId":"s1","timestamp":"2025-12-20T10:01:00.000Z","type":"assistant","model":"qwen3-coder-flash","usageMetadata":{"promptTokenCount":1508,"candidatesTokenCount":305,"cachedContentTokenCount":4864}}
EOF

# --- Kimi CLI -----------------------------------------------------------
seed kimi legacy <<'EOF'
{"type":"metadata","protocol_version":"1.2"}
{"timestamp":1766224801.5,"message":{"type":"StatusUpdate","payload":{"message_id":"m1","token_usage":{"input_other":1200,"output":10,"input_cache_read":8000,"input_cache_creation":300}}}}
{"timestamp":1766224802.5,"message":{"type":"StatusUpdate","payload":{"message_id":"m1","token_usage":{"input_other":1200,"output":310,"input_cache_read":8000,"input_cache_creation":300}}}}
{"timestamp":1766224803,"message":{"type":"StatusUpdate","payload":{"token_usage":null,"message_id":null}}}
EOF
seed kimi code <<'EOF'
{"type":"llm.request","model":"kimi-code/kimi-k2-turbo-preview","time":1766224800000}
{"type":"usage.record","model":"__kimi_env_model__","usage":{"inputOther":900,"output":90,"inputCacheRead":5000,"inputCacheCreation":100},"usageScope":"turn","time":1766224801000}
{"type":"usage.record","usage":{"inputOther":950},"usageScope":"session","time":1766224803000}
EOF

# --- Factory Droid ------------------------------------------------------
seed droid settings <<'EOF'
{"model":"custom:claude-sonnet-4-5","providerLock":"anthropic","providerLockTimestamp":"2025-12-20T10:00:00.000Z","tokenUsage":{"inputTokens":1200,"outputTokens":3400,"cacheCreationTokens":5000,"cacheReadTokens":90000,"thinkingTokens":600,"totalTokens":100200}}
EOF

# --- Continue -----------------------------------------------------------
seed continue tokens <<'EOF'
{"eventName":"tokensGenerated","schema":"0.2.0","createdAt":"2025-12-20T10:00:00.000Z","userId":"u","userAgent":"vscode","selectedProfileId":"local","model":"claude-sonnet-4-5","provider":"anthropic","promptTokens":5000,"generatedTokens":300,"sessionId":"s1"}
{"eventName":"tokensGenerated","schema":"0.2.0","createdAt":"2025-12-20T10:05:00Z","model":"gpt-5","promptTokens":0,"generatedTokens":0}
EOF

# --- SQLite sources: database images --------------------------------
# seed_db <target> <name> <python>: the database the code writes
seed_db () {
	mkdir -p "$out/$1"
	PYTHONPATH=$top/t python3 -c "$3" "$out/$1/$2" 2>/dev/null ||
		rm -f "$out/$1/$2"
}
seed_db goose sessions '
import sys
from lib_sources import GooseDB
db = GooseDB(sys.argv[1])
db.session("20251220_1", "/w/proj", "2025-12-20 10:00:00",
           "2025-12-20 10:40:00", "claude-sonnet-4-5", 1000, 250, 10, 3)
db.session("20251220_2", "/w/proj", "2025-12-20 11:00:00",
           "2025-12-20 11:02:00", "gpt-5", None, None, 300, 40)
db.close()'
mkdir -p "$out/goose-jsonl"
PYTHONPATH=$top/t python3 -c '
import sys
from lib_sources import goose_session_file
goose_session_file(sys.argv[1], "/w/proj", [1766224800, 1766224830,
                   1766227200], 1000, 250, 10, 3)' \
	"$out/goose-jsonl/session" 2>/dev/null || true
seed_db goose ledger '
import sys
from lib_sources import GooseLedgerDB
db = GooseLedgerDB(sys.argv[1])
db.session("20251220_1", "/w/proj", "2025-12-20 10:00:00",
           "2025-12-20 10:40:00", "gpt-5", 9000, 500, 5000, 1000, 0.05)
db.call("20251220_1", 1766224800, "claude-sonnet-4-5", 5000, 300, 3000,
        1000, 0.04, "carried_forward")
db.call("20251220_1", 1766225400, None, 2000, 100, 1500, 0, 0.01,
        "estimated", 1)
db.session("20251220_2", "/w/proj", "2025-12-20 11:00:00",
           "2025-12-20 11:02:00", "gpt-5", 100, 40, 300, 0, None,
           "sub_agent", "20251220_1")
db.close()'
seed_db crush crush '
import sys
from lib_sources import CrushDB
db = CrushDB(sys.argv[1])
db.session("s1", None, 0.75, 1766224800, 1766225520, "claude-sonnet-4-5")
db.session("s1-task", "s1", 0.2, 1766224860, 1766224920, "gpt-5")
db.session("s2", None, 1.0, 1766224800, 1766228400, "gpt-5", "/w/proj")
db.close()'
seed_db zed threads '
import sys
from lib_sources import ZedDB
u = ZedDB.usage
db = ZedDB(sys.argv[1])
db.thread("t1", "2025-12-20T10:00:00Z", "2025-12-20T10:20:00Z",
          "/w/proj\n/w/other", "zed.dev", "claude-sonnet-4-5",
          u(1000, 200, 300, 5000), {"m1": u(400, 50, 300, 0)})
db.thread("t2", "2025-12-20T11:00:00Z", "2025-12-20T11:01:00Z", "/w/proj",
          "zed.dev", "claude-sonnet-4-5", None, {"m1": u(70, 7)}, "json")
db.close()'

# --- import -------------------------------------------------------------
seed import events <<'EOF'
{"schema":"git-tokens/imported/v1"}
{"time":"2025-12-20T10:00:00Z","tool":"claude-code","model":"claude-sonnet-4-5","session":"s1","input":100,"output":20,"cache_write":10,"cache_write_1h":5,"cache_read":1000,"cost_usd":0.01,"author":"a@example.com","cwd":"/w/proj","commit":"1a2b3c4"}
{"time":1766224800,"tool":"codex","input":5,"output":null,"repo":"git@example.com:o/proj.git"}
{"time":1766224800000,"model":"gpt-5","output":7,"repo":"/w/proj"}
{"time":"2025-12-20","input":-1}
EOF

# --- notes --------------------------------------------------------------
seed notes note <<'EOF'
{"v":1,"tool":"claude-code","model":"claude-sonnet-4-5","session":"3f9a1c0e2b7d","from":"2025-12-20T10:00:00Z","to":"2025-12-20T10:05:00Z","requests":41,"input":1830,"output":22410,"cache_write":51200,"cache_read":1960443,"cost_usd":1.2731,"by":"alice@example.com","how":"hook"}
{"v":1,"tool":"codex","model":null,"session":null,"from":"2025-12-20T10:00:00Z","to":"2025-12-20T10:00:00Z","requests":1,"input":1,"output":2,"cache_write":0,"cache_read":0,"cost_usd":null,"how":"window"}

{"v":2,"tool":"x"}
not json at all
EOF

# --- agents' line notes -------------------------------------------------
seed ai-gitai sessions <<'EOF'
src/main.rs
  s_c9883b05a2487d::t_9f8e7d6c5b4a32 1-10,15-20
  h_31dce776f88375 42-50
"src/my file.rs"
  abcd1234abcd1234 1-50
---
{"schema_version":"authorship/3.0.0","base_commit_sha":"7734793b756b3921c88db5375a8c156e9532447b","prompts":{"abcd1234abcd1234":{"agent_id":{"tool":"cursor","id":"x","model":"gpt-4"},"human_author":"D <d@example.com>","total_additions":50,"total_deletions":0,"accepted_lines":50,"overriden_lines":0}},"humans":{"h_31dce776f88375":{"author":"D <d@example.com>"}},"sessions":{"s_c9883b05a2487d":{"agent_id":{"tool":"claude","id":"c","model":"claude-sonnet-4-5"},"human_author":"d@example.com"}}}
EOF
seed ai-qwen note <<'EOF'
{"version":1,"generator":"Qwen-Coder","files":{"src/main.ts":{"aiChars":150,"humanChars":0,"percent":100,"surface":"cli"},"src/utils.ts":{"aiChars":0,"humanChars":200,"percent":0}},"summary":{"aiPercent":38,"aiChars":150,"humanChars":250,"totalFilesTouched":2,"surfaces":["cli"]},"surfaceBreakdown":{"cli":{"aiChars":150,"percent":38}},"excludedGenerated":[],"promptCount":3}
{"version":1,"generator":"Qwen-Coder","files":{"src/b.ts":{"aiChars":1,"humanChars":0,"percent":100}}}
EOF

seed ai-trace records <<'EOF'
{"version":"0.1.0","id":"550e8400-e29b-41d4-a716-446655440000","timestamp":"2026-01-23T14:30:00Z","vcs":{"type":"git","revision":"a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0"},"tool":{"name":"cursor","version":"2.4.0"},"files":[{"path":"src/utils/parser.ts","conversations":[{"url":"https://api.cursor.com/v1/conversations/12345","contributor":{"type":"ai","model_id":"anthropic/claude-opus-4-5-20251101"},"ranges":[{"start_line":42,"end_line":67,"content_hash":"murmur3:9f2e8a1b"},{"start_line":70,"end_line":71,"contributor":{"type":"human"}}]}]}],"metadata":{"confidence":0.95}}
{"version":"1.0","id":"x","timestamp":"2026-01-23T14:31:00Z","vcs":{"type":"git","revision":"A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6E7F8A9B0"},"tool":{"name":"claude-code"},"files":[{"path":"a.ts","conversations":[{"contributor":{"type":"ai"},"ranges":[{"start_line":1,"end_line":3,"content_hash":"sha256:0000000000000000000000000000000000000000000000000000000000000000"}]}]}]}
{"version":"0.1.0","id":"y","timestamp":"t","vcs":{"type":"jj","revision":"kkmpptxz"},"files":[]}
not a record
EOF

# --- prices -------------------------------------------------------------
seed prices bundled <"$top/share/prices.json"
seed prices small <<'EOF'
{"schema":"git-tokens/prices/v1","date":"2026-11-01","models":{"claude-sonnet-4-5":{"provider":"anthropic","input":3,"output":15,"cache_write_5m":3.75,"cache_write_1h":6,"cache_read":0.3,"long_context":{"threshold":200000,"input":6,"output":22.5}},"gpt-5":{"input":1.25,"output":10,"cache_read":0.125},"gemini-2.5-pro":{"provider":"google","input":1.25,"output":10}},"aliases":{"sonnet":"claude-sonnet-4-5","gpt-5-codex":"gpt-5"}}
EOF

# --- forge answers: selector byte (bit 0: GitLab; >> 1: the call) ------
seedb forge github-pulls '000' <<'EOF'
[{"number":12,"state":"closed","merged_at":"2025-12-20T10:00:00Z","created_at":"2025-12-19T10:00:00Z","merge_commit_sha":"1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d","base":{"ref":"main"}},{"number":13,"merged_at":null,"base":{"ref":"dev"}}]
EOF
seedb forge github-pull '002' <<'EOF'
{"number":12,"merged_at":"2025-12-20T10:00:00+02:00","created_at":"2025-12-19T10:00:00.5Z","merge_commit_sha":"1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D","base":{"ref":"main"}}
EOF
seedb forge github-commits '004' <<'EOF'
[{"sha":"1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"},{"sha":"short"},{}]
EOF
seedb forge github-reviews '006' <<'EOF'
[{"user":{"login":"bob"},"state":"CHANGES_REQUESTED","commit_id":"c1","submitted_at":"2025-12-19T11:00:00Z"},{"user":{"login":"bob"},"state":"APPROVED","commit_id":"c2","submitted_at":"2025-12-19T12:00:00Z"},{"user":{"login":"eve"},"state":"DISMISSED"},{"state":"COMMENTED"}]
EOF
seedb forge gitlab-mr '003' <<'EOF'
{"iid":7,"state":"merged","merged_at":"2025-12-20T10:00:00.000Z","created_at":"2025-12-19T10:00:00.000Z","merge_commit_sha":null,"squash_commit_sha":"1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d","target_branch":"main"}
EOF
seedb forge gitlab-approvals '011' <<'EOF'
{"approved":true,"approved_by":[{"user":{"username":"bob","approved_at":"2025-12-19T12:00:00Z"}},{"approved_at":"2025-12-21T12:00:00Z"}]}
EOF
seedb forge gitlab-notes '013' <<'EOF'
[{"system":true,"body":"requested changes","created_at":"2025-12-19T11:00:00Z"},{"system":true,"body":"approved this merge request","created_at":"2025-12-19T12:00:00Z"},{"system":false,"body":"lgtm"}]
EOF
seedb forge link '000' <<'EOF'
<https://api.github.com/repositories/1/pulls?page=2&access_token=x>; rel="next", <https://api.github.com/repositories/1/pulls?page=5>; rel="last"
EOF

# --- provider answers: <call byte><body>\0..., bit 7 of the first: OpenAI
{
	printf '\000'
	printf '%s' '{"data":[{"id":"user_1","email":"a@example.com"},{"id":"user_2","email":""}],"has_more":false}'
	printf '\000\001'
	printf '%s' '{"data":[{"id":"apikey_1","name":"ci","partial_key_hint":"sk-ant-...x","created_by":{"id":"user_1"}}],"has_more":false,"last_id":"apikey_1"}'
	printf '\000\002'
	printf '%s' '{"data":[{"date":"2025-12-20T00:00:00Z","actor":{"type":"user_actor","email_address":"a@example.com"},"customer_type":"api","model_breakdown":[{"model":"claude-sonnet-4-5","tokens":{"input":10,"output":20,"cache_read":30,"cache_creation":40},"estimated_cost":{"amount":12.5,"currency":"USD"}}]},{"date":"2025-12-20","actor":{"type":"api_actor","api_key_name":"ci"},"model_breakdown":[]}],"has_more":true,"next_page":"p2"}'
	printf '\000\003'
	printf '%s' '{"data":[{"starting_at":"2025-12-20T00:00:00Z","ending_at":"2025-12-21T00:00:00Z","results":[{"account_id":"user_1","api_key_id":"apikey_1","model":"claude-sonnet-4-5","uncached_input_tokens":100,"output_tokens":200,"cache_read_input_tokens":300,"cache_creation":{"ephemeral_1h_input_tokens":5,"ephemeral_5m_input_tokens":6}}]}],"has_more":false}'
} | seed provider anthropic
{
	printf '\200'
	printf '%s' '{"object":"list","data":[{"object":"organization.user","id":"user-1","email":"a@example.com"}],"has_more":false}'
	printf '\000\004'
	printf '%s' '{"object":"page","data":[{"object":"bucket","start_time":1766188800,"end_time":1766275200,"results":[{"object":"organization.usage.completions.result","input_tokens":1000,"output_tokens":50,"input_cached_tokens":800,"num_model_requests":3,"user_id":"user-1","model":"gpt-5"}]}],"has_more":false,"next_page":null}'
} | seed provider openai
seed provider store <<'EOF'
{"format":"git-tokens-provider-usage","version":1}
{"time":"2025-12-20T00:00:00Z","tool":"anthropic-api","author":"a@example.com","model":"claude-sonnet-4-5","input":1,"output":2,"cache_write":3,"cache_write_1h":1,"cache_read":4,"cost_usd":0.5}
{"time":"2025-12-21T00:00:00Z","tool":"openai-api","input":5}
EOF

# --- cursor: a hook payload, the hook log, the usage CSV, an API answer
seed cursor payload <<'EOF'
{"conversation_id":"c1","generation_id":"g1","model":"default","input_tokens":10,"output_tokens":5,"cache_read_tokens":100,"cache_write_tokens":7,"workspace_roots":["/home/a/p"],"transcript_path":"/home/a/.cursor/projects/p/agent-transcripts/c1.txt"}
EOF
seed cursor log <<'EOF'
{"time":1766188800000,"conversation_id":"c1","generation_id":"g1","model":"default","input":10,"output":5,"cache_read":100,"cache_write":7,"cwd":"/home/a/p"}
{"time":1766188800001,"conversation_id":"c1","generation_id":"g1","model":"gpt-5","input":1,"cwd":"/home/a/p","transcript_path":"/home/a/.claude/projects/p/s.jsonl"}
EOF
printf '\357\273\277Date,User,Cloud Agent ID,Automation ID,Kind,Model,Max Mode,Input (w/ Cache Write),Input (w/o Cache Write),Cache Read,Output Tokens,Total Tokens,Cost\r\n"2025-12-20T10:00:00.123Z","a@example.com","bc-1, 2","","Included","auto","No","28342","775","105891","21282","156290","Included"\r\n"2025-12-20","","","","Errored, No Charge","gpt-5","No","10","5","1","1","12","$0.01"\r\n' |
	seed cursor csv
seed cursor answer <<'EOF'
{"totalUsageEventsCount":2,"pagination":{"numPages":1,"currentPage":1,"pageSize":500,"hasNextPage":false},"usageEvents":[{"timestamp":"1766188800123","model":"claude-4.5-sonnet","tokenUsage":{"inputTokens":126,"outputTokens":450,"cacheWriteTokens":6112,"cacheReadTokens":11964,"totalCents":20.1},"userEmail":"a@example.com"},{"timestamp":1766188800000,"model":"default","isTokenBasedCall":false,"userEmail":"b@example.com"}]}
EOF

# --- dates --------------------------------------------------------------
n=0
for d in 2025-12-20 2025-12-20T10:00:00Z 2025-12-20T10:00:00.467Z \
	'2025-12-20 10:00:00' 2025-12-20T10:00:00+02:00 2025-12-20T10:00-0130 \
	@1766224800 2.weeks.ago '3 days ago' 'hour ago' yesterday today now \
	2024-02-29 1970-01-01T00:00:00,5z
do
	n=$((n + 1))
	printf '%s' "$d" | seed date "d$n"
done

# --- trailers -----------------------------------------------------------
seed trailers message <<'EOF'
feat: a change

Body text that says why.

Reviewed-by: Bob <bob@example.com>
Acked-by: Eve
  continued on the next line
# a comment
Signed-off-by: Alice <alice@example.com>
(cherry picked from commit 1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d)
EOF
seed trailers mixed <<'EOF'
subject: only

Fixes: #12
this is not a trailer
Signed-off-by: A
EOF

# --- options: flag byte, then arguments one a line ----------------------
seedb options line '000' <<'EOF'
-vv
--flag
-n
5
--string=x
--path
a
--no-path
-pb
--call=bad
--opt-s
--opt-n=3
--no-neg
--neg
--sin=2025-12-20
-fc
arg
--
--rest
EOF
seedb options help '001' <<'EOF'
-h
EOF
seedb options unknown '003' <<'EOF'
--unknown
-z
--number=12x
--no-flag=1
EOF

# --- export rows (report --from) ---------------------------------------
seed export rows <<'EOF'
{"schema":"git-tokens/export/v1","commit":"4bd06fb635f5a1b2c3d4e5f60718293a4b5c6d7e","author_name":"Dan Okafor","author_email":"dan@example.com","committer_name":"Dan Okafor","committer_email":"dan@example.com","author_date":"2026-11-18T15:30:00Z","commit_date":"2026-11-18T15:30:00Z","timezone":"UTC","subject":"feat: x","mainline":"main","repository":"app","range":"HEAD","lines_added":12,"lines_deleted":0,"lines_excluded":0,"landed":true,"landed_how":"yes","landed_as":null,"abandoned":false,"reverted":false,"reverts":null,"fixup":false,"squashed_into":null,"agent":"aider","agent_tool":"aider","bot":false,"has_usage":true,"tool":"aider","model":"anthropic/claude-sonnet-4-5","confidence":"link","requests":2,"input_tokens":7000,"output_tokens":1968,"cache_write_tokens":5800,"cache_read_tokens":8100,"tokens":22868,"cost_usd":0.07,"priced":true,"assisted":true,"surviving":12,"reworked":0,"review":"approved","review_source":"github","review_rounds":0,"review_hours":3.5}
{"schema":"git-tokens/export/v1","commit":"5bd06fb635f5a1b2c3d4e5f60718293a4b5c6d7e","author_name":"Dan Okafor","author_email":"dan@example.com","committer_name":"Dan Okafor","committer_email":"dan@example.com","author_date":"2026-11-18T15:30:00Z","commit_date":"2026-11-18T15:30:00Z","timezone":"UTC","subject":"feat: x","mainline":"main","repository":"app","range":"HEAD","lines_added":12,"lines_deleted":0,"lines_excluded":0,"landed":true,"landed_how":"yes","landed_as":null,"abandoned":false,"reverted":false,"reverts":null,"fixup":false,"squashed_into":null,"agent":"aider","agent_tool":"aider","bot":true,"has_usage":false,"tool":"aider","model":"anthropic/claude-sonnet-4-5","confidence":"link","requests":2,"input_tokens":7000,"output_tokens":1968,"cache_write_tokens":5800,"cache_read_tokens":8100,"tokens":22868,"cost_usd":0.07,"priced":true,"assisted":true,"surviving":12,"reworked":0,"review":null,"review_source":"github","review_rounds":0,"review_hours":3.5}
{"schema":"git-tokens/export/v1","commit":"4bd06fb635f5a1b2c3d4e5f60718293a4b5c6d7e","author_name":"Dan Okafor","author_email":"dan@example.com","committer_name":"Dan Okafor","committer_email":"dan@example.com","author_date":"2026-11-18T15:30:00Z","commit_date":"2026-11-18T15:30:00Z","timezone":"UTC","subject":"feat: x","mainline":"main","repository":"app","range":"HEAD","lines_added":12,"lines_deleted":0,"lines_excluded":0,"landed":true,"landed_how":"yes","landed_as":null,"abandoned":false,"reverted":false,"reverts":null,"fixup":false,"squashed_into":null,"agent":"aider","agent_tool":"aider","bot":false,"has_usage":true,"tool":"aider","model":"anthropic/claude-sonnet-4-5","confidence":"link","requests":2,"input_tokens":7000,"output_tokens":1968,"cache_write_tokens":5800,"cache_read_tokens":8100,"tokens":22868,"cost_usd":0.07,"priced":true,"assisted":true,"surviving":12,"reworked":0,"review":"approved","review_source":"github","review_rounds":0,"review_hours":3.5}
EOF

# --- the test scripts' JSON lines, for every JSON Lines target --------
for t in "$top"/t/t[0-9]*.sh
do
	name=${t##*/}
	grep -ho '{".*}' "$t" >"$out/lines.tmp" 2>/dev/null || true
	if test -s "$out/lines.tmp"
	then
		for target in claude codex codex-exec continue gemini-jsonl \
			goose-jsonl import kimi notes qwen export
		do
			cp "$out/lines.tmp" "$out/$target/t-${name%.sh}"
		done
	fi
done
rm -f "$out/lines.tmp"
