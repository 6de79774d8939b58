#!/usr/bin/env python3
"""Write, under a scratch home, the logs of every assistant git-tokens
reads but Claude Code, about <mib> MiB each, and the token totals per
tool: files and databases under <home>, an aider history in <cwd> (a
work tree), and what "git tokens import" and "fetch" keep in its .git.
Codex's "exec --json" captures are left out: they are Codex's tool too.

    gen-all-sources.py <home> <cwd> [--mib 4] [--seed 1]

Each source is written in the layout its t12x0 test uses (the classes
and helpers of t/lib_sources.py where there are some), with text of
realistic length between the usage records so the bytes read per
request resemble real logs. Counters are chosen so each tool's reading
rules give them back unchanged (no cache inside the prompt, no
reasoning apart): <home>/expected-tools.json holds, per tool, the input,
output, cache write and cache read git-tokens must report, and the cost
where the logs record one. Each file is dated after its last record. The Claude Code
part is left to gen-claude-corpus.py. <home>/sizes.json: the bytes
written for each source, by its tokens.sources name.
"""
import argparse
import hashlib
import json
import os
import random
import re
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
from lib_sources import (CrushDB, GooseDB, ZedDB, iso_ms,  # noqa: E402
                         write_json, write_lines)

DAY0 = 1790812800000   # 2026-10-01T00:00:00Z, in ms
WORDS = ("read the parser again so the streaming reads skip records "
         "that carry no usage and keep the largest one per response "
         "id while the cache stays warm").split()


class Gen:
    def __init__(self, home, cwd, mib, seed):
        self.home, self.cwd = home, cwd
        self.budget = int(mib * (1 << 20))
        self.rnd = random.Random(seed)
        self.text = " ".join(self.rnd.choice(WORDS) for _ in range(4000))
        self.want = {}
        self.last = DAY0

    def words(self, lo=200, hi=3000):
        return self.text[:self.rnd.randrange(lo, hi)]

    def bill(self, tool, i=0, o=0, cw=0, cr=0, cost=0.0):
        e = self.want.setdefault(tool, dict(input=0, output=0,
                                            cache_write=0, cache_read=0,
                                            cost_usd=0.0))
        e["input"] += i
        e["output"] += o
        e["cache_write"] += cw
        e["cache_read"] += cr
        e["cost_usd"] += cost

    def counts(self):
        r = self.rnd
        return (r.randrange(1, 5000), r.randrange(10, 3000),
                r.randrange(0, 4000), r.randrange(0, 60000))

    def when(self, n):
        """A time in ms for call n: a call every half minute or so."""
        t = DAY0 + n * 37000 + self.rnd.randrange(0, 30000)
        self.last = max(self.last, t + 60000)
        return t

    def touch(self, path):
        """Dated as on a real disk: last written after its last record
        (the post-commit hook skips what was written long before)."""
        os.utime(path, (self.last / 1000, self.last / 1000))

    def sessions(self, per_file):
        """Yield (session number, first call number) until the budget of
        the source is written; the caller adds the bytes to self.size."""
        self.size, s, n = 0, 0, 0
        while self.size < self.budget:
            yield s, n
            s += 1
            n += per_file

    def path(self, *parts):
        return os.path.join(self.home, *parts)

    def added(self, path):
        self.size += os.path.getsize(path)
        self.touch(path)
        return path

    def codex(self):
        for s, n in self.sessions(200):
            sid = "019aad50-0000-7000-8000-%012d" % s
            t = self.when(n)
            day = time.strftime("%Y/%m/%d", time.gmtime(t / 1000))
            lines = [{"timestamp": iso_ms(t), "type": "session_meta",
                      "payload": {"id": sid, "timestamp": iso_ms(t),
                                  "cwd": self.cwd, "originator": "codex_cli_rs",
                                  "cli_version": "0.148.0", "source": "cli",
                                  "model_provider": "openai"}},
                     {"timestamp": iso_ms(t), "type": "turn_context",
                      "payload": {"cwd": self.cwd, "model": "gpt-5-codex",
                                  "effort": "medium"}}]
            total = dict(input_tokens=0, cached_input_tokens=0,
                         output_tokens=0, reasoning_output_tokens=0,
                         total_tokens=0)
            for k in range(200):
                t += 20000
                i, o, _, _ = self.counts()
                last = dict(input_tokens=i, cached_input_tokens=0,
                            output_tokens=o, reasoning_output_tokens=0,
                            total_tokens=i + o)
                total = {x: total[x] + last[x] for x in total}
                lines.append({"timestamp": iso_ms(t), "type": "response_item",
                              "payload": {"type": "message",
                                          "role": "assistant",
                                          "content": [{"type": "output_text",
                                                       "text": self.words()}]}})
                lines.append({"timestamp": iso_ms(t), "type": "event_msg",
                              "payload": {"type": "token_count", "info": {
                                  "total_token_usage": dict(total),
                                  "last_token_usage": last,
                                  "model_context_window": 258400}}})
                self.bill("codex", i, o)
            p = self.path(".codex", "sessions", day,
                          "rollout-%s-%s.jsonl" % (
                              time.strftime("%Y-%m-%dT%H-%M-%S",
                                            time.gmtime(self.when(n) / 1000)),
                              sid))
            write_lines(p, lines)
            self.added(p)

    def gemini(self):
        slug = self.path(".gemini", "tmp", "proj")
        os.makedirs(slug, exist_ok=True)
        with open(os.path.join(slug, ".project_root"), "w") as f:
            f.write(self.cwd + "\n")
        for s, n in self.sessions(200):
            t = self.when(n)
            lines = [{"sessionId": "sess-%d" % s,
                      "projectHash": hashlib.sha256(
                          self.cwd.encode()).hexdigest(),
                      "startTime": iso_ms(t), "lastUpdated": iso_ms(t),
                      "kind": "main"}]
            for k in range(200):
                t += 20000
                i, o, _, _ = self.counts()
                lines.append({"id": "u%d" % k, "timestamp": iso_ms(t),
                              "type": "user", "content": self.words()})
                lines.append({"id": "m%d" % k, "timestamp": iso_ms(t + 1),
                              "type": "gemini", "content": self.words(),
                              "model": "gemini-2.5-pro", "thoughts": [],
                              "tokens": {"input": i, "output": o,
                                         "cached": 0, "thoughts": 0,
                                         "tool": 0, "total": i + o}})
                self.bill("gemini", i, o)
            p = os.path.join(slug, "chats", "session-%s-s%07d.jsonl" % (
                time.strftime("%Y-%m-%dT%H-%M", time.gmtime(t / 1000)), s))
            write_lines(p, lines)
            self.added(p)

    def qwen(self):
        folder = re.sub("[^A-Za-z0-9]", "-", self.cwd)
        for s, n in self.sessions(200):
            sid = "sess-q%d" % s
            t = self.when(n)
            lines = []
            for k in range(200):
                t += 20000
                i, o, _, _ = self.counts()
                env = {"parentUuid": None, "sessionId": sid,
                       "timestamp": iso_ms(t), "version": "0.2.1",
                       "cwd": self.cwd}
                lines.append(dict(env, uuid="u%d-%d" % (s, k), type="user",
                                  message={"role": "user", "parts": [
                                      {"text": self.words()}]}))
                lines.append(dict(env, uuid="a%d-%d" % (s, k),
                                  type="assistant",
                                  model="qwen3-coder-plus",
                                  message={"role": "model", "parts": [
                                      {"text": self.words()}]},
                                  usageMetadata={
                                      "promptTokenCount": i,
                                      "candidatesTokenCount": o,
                                      "thoughtsTokenCount": 0,
                                      "cachedContentTokenCount": 0,
                                      "totalTokenCount": i + o}))
                self.bill("qwen-code", i, o)
            p = self.path(".qwen", "projects", folder, "chats", sid + ".jsonl")
            write_lines(p, lines)
            self.added(p)

    def kimi(self):
        md5 = hashlib.md5(self.cwd.encode()).hexdigest()
        write_json(self.path(".kimi", "kimi.json"), {"work_dirs": [
            {"path": self.cwd, "kaos": "local", "last_session_id": "s0"}]})
        for s, n in self.sessions(200):
            secs = self.when(n) / 1000
            lines = [{"type": "metadata", "protocol_version": "1.2"}]
            for k in range(200):
                secs += 20
                i, o, cw, cr = self.counts()
                lines.append({"timestamp": secs, "message": {
                    "type": "TurnBegin", "payload": {
                        "user_input": self.words()}}})
                lines.append({"timestamp": secs + 1, "message": {
                    "type": "ContentPart", "payload": {
                        "type": "text", "text": self.words()}}})
                lines.append({"timestamp": secs + 2, "message": {
                    "type": "StatusUpdate", "payload": {
                        "context_usage": 0.1,
                        "message_id": "chatcmpl-%d-%d" % (s, k),
                        "token_usage": {"input_other": i, "output": o,
                                        "input_cache_read": cr,
                                        "input_cache_creation": cw}}}})
                self.bill("kimi", i, o, cw, cr)
            p = self.path(".kimi", "sessions", md5, "s%d" % s, "wire.jsonl")
            write_lines(p, lines)
            self.added(p)

    def continue_(self):
        write_json(self.path(".continue", "sessions", "sessions.json"),
                   [{"sessionId": "s-proj", "title": "a", "dateCreated": "1",
                     "workspaceDirectory": "file://" +
                     urllib.parse.quote(self.cwd)}])
        p = self.path(".continue", "dev_data", "0.2.0",
                      "tokensGenerated.jsonl")
        os.makedirs(os.path.dirname(p), exist_ok=True)
        chat = self.path(".continue", "dev_data", "0.2.0",
                         "chatInteraction.jsonl")
        with open(p, "w") as f, open(chat, "w") as c:
            for s, n in self.sessions(200):
                for k in range(200):
                    i, o, _, _ = self.counts()
                    ts = iso_ms(self.when(n + k))
                    line = json.dumps({
                        "eventName": "tokensGenerated", "schema": "0.2.0",
                        "createdAt": ts, "userId": "u-1",
                        "userAgent": "vscode", "selectedProfileId": "local",
                        "model": "claude-sonnet-4-5",
                        "provider": "anthropic", "promptTokens": i,
                        "generatedTokens": o, "sessionId": "s-proj"}) + "\n"
                    # the prompt and reply, kept apart, never counted
                    other = json.dumps({"createdAt": ts, "promptTokens": i,
                                        "prompt": self.words(),
                                        "completion": self.words()}) + "\n"
                    f.write(line)
                    c.write(other)
                    self.size += len(line) + len(other)
                    self.bill("continue", i, o)
        self.touch(p)
        self.touch(chat)

    def amp(self):
        env = {"initial": {"trees": [{
            "displayName": "proj",
            "uri": "file://" + urllib.parse.quote(self.cwd)}],
            "platform": {"os": "linux"}}}
        for s, n in self.sessions(100):
            msgs = []
            for k in range(100):
                i, o, cw, cr = self.counts()
                ts = iso_ms(self.when(n + k))
                msgs.append({"role": "user", "messageId": 2 * k,
                             "content": [{"type": "text",
                                          "text": self.words()}]})
                msgs.append({"role": "assistant", "messageId": 2 * k + 1,
                             "content": [{"type": "text",
                                          "text": self.words()}],
                             "state": {"type": "complete"},
                             "usage": {"model": "claude-sonnet-4-5",
                                       "inputTokens": i, "outputTokens": o,
                                       "cacheCreationInputTokens": cw,
                                       "cacheReadInputTokens": cr,
                                       "totalInputTokens": i + cw + cr,
                                       "timestamp": ts}})
                self.bill("amp", i, o, cw, cr)
            tid = "T-%08d-0000" % s
            p = self.path(".local", "share", "amp", "threads", tid + ".json")
            write_json(p, {"v": 40, "id": tid, "created": self.when(n),
                           "env": env, "messages": msgs})
            self.added(p)

    def cline(self, tool, ext):
        for s, n in self.sessions(100):
            t = self.when(n)
            msgs = [{"ts": t, "type": "say", "say": "task",
                     "text": self.words()}]
            for k in range(100):
                i, o, _, _ = self.counts()
                t = self.when(n + k)
                msgs.append({"ts": t, "type": "say", "say": "api_req_started",
                             "text": json.dumps({
                                 "request": self.words(), "tokensIn": i,
                                 "tokensOut": o, "cacheWrites": 0,
                                 "cacheReads": 0}),
                             "modelInfo": {"modelId": "claude-sonnet-4-5",
                                           "providerId": "anthropic",
                                           "mode": "act"}})
                msgs.append({"ts": t + 500, "type": "say", "say": "text",
                             "text": self.words()})
                self.bill(tool, i, o)
            d = self.path(".config", "Code", "User", "globalStorage", ext,
                          "tasks", "%d" % (DAY0 + s))
            write_json(os.path.join(d, "ui_messages.json"), msgs)
            write_json(os.path.join(d, "api_conversation_history.json"),
                       [{"role": "user", "content": [{
                           "type": "text", "text":
                           "<environment_details>\n# Current Working "
                           "Directory (%s) Files\n</environment_details>"
                           % self.cwd}]}])
            self.touch(os.path.join(d, "api_conversation_history.json"))
            self.added(os.path.join(d, "ui_messages.json"))

    def droid(self):
        slug = "-" + self.cwd.strip("/").replace("/", "-")
        for s, n in self.sessions(50):
            i, o, cw, cr = (x * 50 for x in self.counts())
            sid = "s-%08d" % s
            d = self.path(".factory", "sessions", slug)
            write_json(os.path.join(d, sid + ".settings.json"), {
                "assistantActiveTimeMs": 1000,
                "model": "custom:claude-sonnet-4-5",
                "reasoningEffort": "medium", "autonomyMode": "auto-low",
                "providerLock": "anthropic",
                "providerLockTimestamp": iso_ms(self.when(n)),
                "tokenUsage": {"inputTokens": i, "outputTokens": o,
                               "cacheCreationTokens": cw,
                               "cacheReadTokens": cr, "thinkingTokens": 0,
                               "totalTokens": i + o + cw + cr}})
            lines = [{"type": "session_start", "id": sid, "title": "t",
                      "owner": "me", "version": 2, "cwd": self.cwd}]
            for k in range(50):
                for role in ("user", "assistant"):
                    lines.append({"type": "message", "id": "m%d%s" % (k, role),
                                  "timestamp": iso_ms(self.when(n + k)),
                                  "message": {"role": role, "content": [
                                      {"type": "text",
                                       "text": self.words()}]}})
            write_lines(os.path.join(d, sid + ".jsonl"), lines)
            self.added(os.path.join(d, sid + ".jsonl"))
            self.touch(os.path.join(d, sid + ".settings.json"))
            self.bill("droid", i, o, cw, cr)

    def goose(self):
        p = self.path(".local", "share", "goose", "sessions", "sessions.db")
        db = GooseDB(p)
        for s, n in self.sessions(50):
            ai, ao = self.rnd.randrange(1, 10 ** 6), self.rnd.randrange(
                1, 10 ** 5)
            start = self.when(n) // 1000
            fmt = "%Y-%m-%d %H:%M:%S"
            db.session("2026_%d" % s, self.cwd,
                       time.strftime(fmt, time.gmtime(start)),
                       time.strftime(fmt, time.gmtime(start + 1800)),
                       "claude-sonnet-4-5", ai, ao)
            for k in range(50):
                content = json.dumps([{"type": "text",
                                       "text": self.words()}])
                db.db.execute(
                    "INSERT INTO messages (message_id, session_id, role,"
                    " content_json, created_timestamp) VALUES (?,?,?,?,?)",
                    ("m%d" % k, "2026_%d" % s, "assistant", content,
                     start + k))
                self.size += len(content)
            self.bill("goose", ai, ao)
        db.close()
        self.touch(p)

    def crush(self):
        data = self.path("crush-data")
        write_json(self.path(".local", "share", "crush", "projects.json"),
                   {"projects": [{"path": self.cwd, "data_dir": data,
                                  "last_accessed": "2026-11-21T10:00:00Z"}]})
        db = CrushDB(os.path.join(data, "crush.db"))
        # Crush's first migration makes it; a look-up per session scans
        # every message without it
        db.db.execute("CREATE INDEX idx_messages_session_id"
                      " ON messages (session_id)")
        for s, n in self.sessions(50):
            cost = self.rnd.randrange(1, 500) / 100.0
            start = self.when(n) // 1000
            db.session("s%d" % s, None, cost, start, start + 1200,
                       "claude-sonnet-4-5", self.cwd)
            for k in range(50):
                parts = json.dumps([{"type": "text",
                                     "data": {"text": self.words()}}])
                db.db.execute(
                    "INSERT INTO messages VALUES (?,?,?,?,?,?,?,?,?)",
                    ("s%d-p%d" % (s, k), "s%d" % s, "assistant", parts,
                     "claude-sonnet-4-5", start + k, start + k, start + k,
                     "anthropic"))
                self.size += len(parts)
            self.bill("crush", cost=cost)
        db.close()
        self.touch(os.path.join(data, "crush.db"))

    def zed(self):
        db = ZedDB(self.path(".local", "share", "zed", "threads",
                             "threads.db"))
        u = ZedDB.usage
        for s, n in self.sessions(50):
            i, o, cw, cr = (x * 50 for x in self.counts())
            start = self.when(n)
            doc_msgs = [{"User": {"id": "m%d" % k, "content": [
                {"Text": self.words()}]}} for k in range(50)]
            db.thread("t%d" % s, iso_ms(start), iso_ms(start + 1800000),
                      self.cwd, "zed.dev", "claude-sonnet-4-5",
                      u(i, o, cw, cr), None, "json")
            # the thread's messages, as Zed keeps them beside the totals
            row = db.db.execute("SELECT data FROM threads WHERE id = ?",
                                ("t%d" % s,)).fetchone()
            doc = json.loads(row[0])
            doc["messages"] = doc_msgs
            data = json.dumps(doc)
            db.db.execute("UPDATE threads SET data = ? WHERE id = ?",
                          (data, "t%d" % s))
            self.size += len(data)
            self.bill("zed", i, o, cw, cr)
        db.close()
        self.touch(self.path(".local", "share", "zed", "threads",
                             "threads.db"))

    def opencode(self, tool, name, db):
        base = self.path(".local", "share", name)
        if db:
            import sqlite3
            os.makedirs(base, exist_ok=True)
            con = sqlite3.connect(os.path.join(base, name + ".db"))
            con.executescript(
                "CREATE TABLE session(id TEXT PRIMARY KEY, project_id TEXT,"
                " directory TEXT);"
                "CREATE TABLE message(id TEXT PRIMARY KEY, session_id TEXT,"
                " time_created INTEGER, time_updated INTEGER, data TEXT);"
                "CREATE TABLE part(id TEXT PRIMARY KEY, message_id TEXT,"
                " session_id TEXT, data TEXT);")
        dated = {}
        for s, n in self.sessions(100):
            sid = "ses_%d" % s
            if db:
                con.execute("INSERT INTO session VALUES (?,?,?)",
                            (sid, "p", self.cwd))
            for k in range(100):
                i, o, cw, cr = self.counts()
                t = self.when(n + k)
                m = {"id": "msg_%d_%d" % (s, k), "sessionID": sid,
                     "role": "assistant",
                     "time": {"created": t, "completed": t + 4000},
                     "modelID": "claude-sonnet-4-5",
                     "providerID": "anthropic", "mode": "build", "cost": 0,
                     "tokens": {"input": i, "output": o, "reasoning": 0,
                                "cache": {"read": cr, "write": cw}},
                     "path": {"cwd": self.cwd, "root": self.cwd},
                     "finish": "stop"}
                part = json.dumps({"type": "text", "text": self.words()})
                self.bill(tool, i, o, cw, cr)
                if db:
                    con.execute("INSERT INTO message VALUES (?,?,?,?,?)",
                                (m["id"], sid, t, t, json.dumps(m)))
                    con.execute("INSERT INTO part VALUES (?,?,?,?)",
                                ("prt_%d_%d" % (s, k), m["id"], sid, part))
                    self.size += len(json.dumps(m)) + len(part)
                    continue
                p = os.path.join(base, "storage", "message", sid,
                                 m["id"] + ".json")
                write_json(p, m)
                self.added(p)
                dated[p] = t + 4000
                p = os.path.join(base, "storage", "part", m["id"],
                                 "prt_%d.json" % k)
                write_json(p, json.loads(part))
                self.added(p)
                dated[p] = t + 4000
        # As on a real disk: a file last written when its message ended,
        # a folder when its last entry was made (the post-commit hook
        # skips the folders last changed before its window).
        for p, t in sorted(dated.items(), key=lambda e: e[1]):
            while p != base:
                os.utime(p, (t / 1000, t / 1000))
                p = os.path.dirname(p)
        if db:
            con.commit()
            con.close()
            self.touch(os.path.join(base, name + ".db"))

    def aider(self):
        p = os.path.join(self.cwd, ".aider.chat.history.md")
        with open(p, "w") as f:
            for s, n in self.sessions(100):
                t = time.strftime("%Y-%m-%d %H:%M:%S",
                                  time.gmtime(self.when(n) / 1000))
                out = ["", "# aider chat started at " + t, "",
                       "> Aider v0.86.1  ",
                       "> Main model: claude-sonnet-4-5 with diff edit "
                       "format, infinite output  ",
                       "> Git repo: .git with 3 files  ", ""]
                for k in range(100):
                    i, o, _, _ = self.counts()
                    out += ["#### " + self.words(50, 300), "",
                            self.words(), "",
                            "> Tokens: %d sent, %d received. Cost: $0.01 "
                            "message, $1.00 session.  " % (i, o), ""]
                    self.bill("aider", i, o, cost=0.01)
                text = "\n".join(out) + "\n"
                f.write(text)
                self.size += len(text)
        self.touch(p)

    def copilot(self):
        for s, n in self.sessions(100):
            sess = "sess-%d" % s
            start = self.when(n)
            d = self.path(".copilot", "session-state", sess)
            write_lines(os.path.join(d, "events.jsonl"), [
                {"type": "session.start", "data": {
                    "sessionId": sess, "version": 1,
                    "producer": "copilot-agent", "copilotVersion": "1.0.86",
                    "startTime": iso_ms(start), "context": {
                        "cwd": self.cwd, "gitRoot": self.cwd,
                        "branch": "main"}},
                 "id": "e0", "timestamp": iso_ms(start), "parentId": None}])
            self.touch(os.path.join(d, "events.jsonl"))
            lines = []
            for k in range(100):
                i, o, _, _ = self.counts()
                sec = self.when(n + k) // 1000
                lines.append({
                    "type": "span", "traceId": "t%d-%d" % (s, k),
                    "spanId": "c1", "parentSpanId": None,
                    "name": "chat claude-sonnet-4.5", "kind": 0,
                    "startTime": [sec - 3, 133000000],
                    "endTime": [sec, 967317833], "attributes": {
                        "gen_ai.operation.name": "chat",
                        "gen_ai.conversation.id": sess,
                        "gen_ai.response.model": "claude-sonnet-4.5",
                        "gen_ai.request.model": "claude-sonnet-4.5",
                        "gen_ai.usage.input_tokens": i,
                        "gen_ai.usage.output_tokens": o,
                        "gen_ai.output.messages": self.words()},
                    "status": {"code": 0}, "events": [], "links": [],
                    "resource": {"attributes": {
                        "service.name": "github-copilot"}},
                    "instrumentationScope": {"name": "github.copilot"}})
                self.bill("copilot-cli", i, o)
            p = self.path(".copilot", "otel", "copilot-%d.jsonl" % s)
            write_lines(p, lines)
            self.added(p)

    def cursor(self):
        p = self.path(".local", "share", "git-tokens", "cursor-usage.jsonl")
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            for s, n in self.sessions(1000):
                for k in range(1000):
                    i, o, cw, cr = self.counts()
                    line = json.dumps({
                        "time": self.when(n + k),
                        "conversation_id": "conv-%d" % s,
                        "generation_id": "gen-%d-%d" % (s, k),
                        "model": "claude-sonnet-4-5", "input": i,
                        "output": o, "cache_read": cr, "cache_write": cw,
                        "cwd": self.cwd}) + "\n"
                    f.write(line)
                    self.size += len(line)
                    self.bill("cursor", i, o, cw, cr)
        self.touch(p)

    def imported(self):
        """What "git tokens import" and "git tokens fetch" store: events
        of their own (tool "import") and the providers' daily usage."""
        p = os.path.join(self.cwd, ".git", "tokens", "imported.jsonl")
        os.makedirs(os.path.dirname(p), exist_ok=True)
        tools = ("import", "anthropic-api", "openai-api")
        with open(p, "w") as f:
            for s, n in self.sessions(300):
                for k in range(300):
                    i, o, cw, cr = self.counts()
                    tool = tools[k % 3]
                    line = json.dumps({
                        "time": iso_ms(self.when(n + k)), "tool": tool,
                        "model": "claude-sonnet-4-5",
                        "session": "imp-%d" % s, "cwd": self.cwd,
                        "author": "bench@example.com", "input": i,
                        "output": o, "cache_write": cw, "cache_read": cr,
                        "cost_usd": 0.25}) + "\n"
                    f.write(line)
                    self.size += len(line)
                    self.bill(tool, i, o, cw, cr, cost=0.25)
        self.touch(p)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("home")
    ap.add_argument("cwd")
    ap.add_argument("--mib", type=float, default=4)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    g = Gen(os.path.abspath(a.home), os.path.abspath(a.cwd), a.mib, a.seed)
    sizes = {}
    for source, call in (
            ("codex", g.codex), ("gemini", g.gemini), ("qwen-code", g.qwen),
            ("kimi", g.kimi), ("continue", g.continue_), ("amp", g.amp),
            ("droid", g.droid), ("goose", g.goose), ("crush", g.crush),
            ("zed", g.zed), ("aider", g.aider), ("copilot-cli", g.copilot),
            ("cursor", g.cursor), ("import", g.imported),
            ("opencode", lambda: g.opencode("opencode", "opencode", True)),
            ("kilo-cli", lambda: g.opencode("kilo-cli", "kilo", False)),
            ("cline", lambda: g.cline("cline", "saoudrizwan.claude-dev")),
            ("roo-code", lambda: g.cline("roo-code",
                                         "rooveterinaryinc.roo-cline")),
            ("kilo-code", lambda: g.cline("kilo-code",
                                          "kilocode.kilo-code"))):
        call()
        sizes[source] = g.size
    with open(os.path.join(a.home, "expected-tools.json"), "w") as f:
        json.dump(g.want, f, indent=1, sort_keys=True)
    # the bytes of each source's logs, named as in tokens.sources
    with open(os.path.join(a.home, "sizes.json"), "w") as f:
        json.dump(sizes, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
