"""Expected usage for the fixture generators of the t12x0 source tests.

Each generator writes a tool's own log format and, beside it, what
git-tokens must report: per repository, per UTC day, the counters and
the cost, worked out here from the tokens the records were made with
and from the price table the test installs (prices-test.json).
"""
import json
import os

# USD per million tokens: input, output, cache write, cache read. Only
# Anthropic has a cache write rate of its own; the others bill cache
# writes as input.
PRICES = {
    "claude-sonnet-4-5": (3, 15, 3.75, 0.30),
    "claude-haiku-4-5": (1, 5, 1.25, 0.10),
    "gpt-5": (1.25, 10, 1.25, 0.125),
    "qwen3-coder-plus": (1, 5, 1, 0.10),
    "qwen3-coder-flash": (0.30, 1.50, 0.30, 0.03),
    "kimi-for-coding": (0.60, 2.50, 0.60, 0.15),
    "kimi-k2-turbo-preview": (1.15, 8, 1.15, 0.15),
}


def write_prices(path="prices-test.json"):
    models = {}
    for m, p in PRICES.items():
        models[m] = {"provider": "test", "input": p[0], "output": p[1],
                     "cache_read": p[3]}
        if m.startswith("claude"):
            models[m]["provider"] = "anthropic"
            models[m]["cache_write_5m"] = p[2]
    with open(path, "w") as f:
        json.dump({"schema": "git-tokens/prices/v1", "date": "2026-11-01",
                   "currency": "USD", "unit": "per million tokens",
                   "models": models, "aliases": {}}, f)


class Expect:
    """Usage per repository path and UTC day."""

    def __init__(self):
        self.days = {}

    def bill(self, repo, ts, model, inp=0, out=0, cw=0, cr=0, cost=None):
        """cost: what the log recorded, else priced from PRICES."""
        day = ts[:10]
        e = self.days.setdefault(repo, {}).setdefault(day, dict(
            requests=0, input=0, output=0, cache_write=0, cache_read=0,
            cost_usd=0.0))
        e["requests"] += 1
        e["input"] += inp
        e["output"] += out
        e["cache_write"] += cw
        e["cache_read"] += cr
        if cost is None and not model:
            # unpriced (Goose's session files name no model): the
            # day's cost is unknown
            e["cost_usd"] = None
        elif e["cost_usd"] is not None:
            if cost is None:
                pi, po, pw, pr = PRICES[model]
                cost = (inp * pi + out * po + cw * pw + cr * pr) / 1e6
            e["cost_usd"] += cost

    def write(self, repo, path):
        with open(path, "w") as f:
            json.dump(self.days.get(os.path.abspath(repo), {}), f)


def write_lines(path, lines):
    """JSON Lines; a str is written as it is (bad and cut lines)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        for l in lines:
            f.write((l if isinstance(l, str) else json.dumps(l)) + "\n")


def write_json(path, doc):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)


def iso_ms(ms):
    """Epoch milliseconds as ISO 8601 UTC."""
    import datetime
    t = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def spread(start, end, counters):
    """A session's totals as git-tokens spreads them over its window
    (start and end in epoch ms): n = 1 + the whole 5 minutes the window
    lasts, at most 1000; one event at the end of each of n equal
    slices; each counter divided evenly, the first events taking one
    more of the remainder. Yields (time in ms, [counters])."""
    length = end - start
    n = min(1 + length // 300000, 1000)
    for i in range(n):
        yield (start + length * (i + 1) // n,
               [c // n + (1 if i < c % n else 0) for c in counters])


class SQLiteDB:
    """A new database at path with the class's SCHEMA."""

    def __init__(self, path):
        import sqlite3
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if os.path.exists(path):
            os.unlink(path)
        self.db = sqlite3.connect(path)
        self.db.executescript(self.SCHEMA)

    def close(self):
        self.db.commit()
        self.db.close()


class GooseDB(SQLiteDB):
    """A Goose sessions.db with the columns of Goose 1.35 (schema 13)."""

    SCHEMA = """
    CREATE TABLE schema_version (version INTEGER PRIMARY KEY,
        applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY, name TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        user_set_name BOOLEAN DEFAULT FALSE,
        session_type TEXT NOT NULL DEFAULT 'user',
        working_dir TEXT NOT NULL,
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        extension_data TEXT DEFAULT '{}',
        total_tokens INTEGER, input_tokens INTEGER, output_tokens INTEGER,
        accumulated_total_tokens INTEGER,
        accumulated_input_tokens INTEGER,
        accumulated_output_tokens INTEGER, accumulated_cost REAL,
        schedule_id TEXT, recipe_json TEXT, user_recipe_values_json TEXT,
        provider_name TEXT, model_config_json TEXT,
        goose_mode TEXT NOT NULL DEFAULT 'auto', archived_at TIMESTAMP,
        project_id TEXT);
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        role TEXT NOT NULL, content_json TEXT NOT NULL,
        created_timestamp INTEGER NOT NULL,
        timestamp TIMESTAMP DEFAULT CURRENT_TIMESTAMP, tokens INTEGER,
        metadata_json TEXT);
    INSERT INTO schema_version (version) VALUES (13);
    """

    def session(self, sid, cwd, created, updated, model, acc_in, acc_out,
                last_in=0, last_out=0):
        cfg = json.dumps({"model_name": model, "context_limit": None,
                          "temperature": None, "max_tokens": None,
                          "toolshim": False, "toolshim_model": None})
        total = None if acc_in is None else acc_in + acc_out
        self.db.execute(
            "INSERT INTO sessions (id, name, working_dir, created_at,"
            " updated_at, total_tokens, input_tokens, output_tokens,"
            " accumulated_total_tokens, accumulated_input_tokens,"
            " accumulated_output_tokens, provider_name, model_config_json)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (sid, "CLI Session", cwd, created, updated,
             last_in + last_out, last_in, last_out, total, acc_in, acc_out,
             "anthropic", cfg))


class GooseLedgerDB(GooseDB):
    """A GooseDB taken through Goose's migrations 14 (the cache columns),
    15 (parent sessions, the usage ledger) and 17; with ledger=False,
    through 14 only."""

    LEDGER = """
    ALTER TABLE sessions ADD COLUMN parent_session_id TEXT;
    CREATE TABLE usage_ledger (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        created_timestamp INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
        model TEXT, input_tokens INTEGER, output_tokens INTEGER,
        total_tokens INTEGER, cache_read_tokens INTEGER,
        cache_write_tokens INTEGER, cost REAL, cost_source TEXT,
        is_compaction INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX idx_usage_ledger_session ON usage_ledger(session_id);
    ALTER TABLE sessions ADD COLUMN parent_delegation TEXT;
    """

    def __init__(self, path, ledger=True):
        super().__init__(path)
        for c in ("cache_read_tokens", "cache_write_tokens",
                  "accumulated_cache_read_tokens",
                  "accumulated_cache_write_tokens"):
            self.db.execute("ALTER TABLE sessions ADD COLUMN %s INTEGER" % c)
        if ledger:
            self.db.executescript(self.LEDGER)
        self.db.execute("UPDATE schema_version SET version = ?",
                        (17 if ledger else 14,))

    def session(self, sid, cwd, created, updated, model, acc_in, acc_out,
                acc_cr=None, acc_cw=None, cost=None, kind="user",
                parent=None):
        """parent: the parent session (schema 15 on)."""
        cfg = json.dumps({"model_name": model, "context_limit": None})
        self.db.execute(
            "INSERT INTO sessions (id, session_type, working_dir,"
            " created_at, updated_at, input_tokens, output_tokens,"
            " accumulated_total_tokens, accumulated_input_tokens,"
            " accumulated_output_tokens, accumulated_cache_read_tokens,"
            " accumulated_cache_write_tokens, accumulated_cost,"
            " provider_name, model_config_json)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (sid, kind, cwd, created, updated, 1, 1, acc_in + acc_out,
             acc_in, acc_out, acc_cr, acc_cw, cost, "anthropic", cfg))
        if parent is not None:
            self.db.execute("UPDATE sessions SET parent_session_id = ?"
                            " WHERE id = ?", (parent, sid))

    def call(self, sid, t, model, inp, out, cr=None, cw=None, cost=None,
             source=None, compaction=0):
        """A usage_ledger row; t in Unix seconds; source: cost_source
        ("estimated", "carried_forward", ...)."""
        self.db.execute(
            "INSERT INTO usage_ledger (session_id, created_timestamp, model,"
            " input_tokens, output_tokens, total_tokens, cache_read_tokens,"
            " cache_write_tokens, cost, cost_source, is_compaction)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (sid, t, model, inp, out, inp + out, cr, cw, cost, source,
             compaction))


def goose_session_file(path, cwd, times, acc_in, acc_out, last_in=0,
                       last_out=0, mtime=None):
    """A session file as Goose wrote them before sessions.db
    (crates/goose/src/session/storage.rs): SessionMetadata on the first
    line, then one Message a line, created in Unix seconds (times, in
    the order given). acc_in None: a file older than the accumulated
    counters, which has no such keys."""
    meta = {"working_dir": cwd, "description": "fix the build",
            "schedule_id": None, "message_count": len(times),
            "total_tokens": last_in + last_out, "input_tokens": last_in,
            "output_tokens": last_out}
    if acc_in is not None:
        meta.update(accumulated_total_tokens=acc_in + acc_out,
                    accumulated_input_tokens=acc_in,
                    accumulated_output_tokens=acc_out,
                    extension_data={}, recipe=None)
    lines = [meta]
    for i, t in enumerate(times):
        if i % 2 == 0:
            content = [{"type": "text", "text": "step %d" % i}]
        else:
            # a "created" deeper down is not the message's
            call = {"name": "developer__shell",
                    "arguments": {"command": "ls", "created": 1}}
            content = [{"type": "text", "text": "running"},
                       {"type": "toolRequest", "id": "toolu_%d" % i,
                        "toolCall": {"status": "success", "value": call}}]
        lines.append({"id": None, "role": "user" if i % 2 == 0 else
                      "assistant", "created": t, "content": content})
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        for l in lines:
            f.write(json.dumps(l, separators=(",", ":")) + "\n")
    if mtime is not None:
        os.utime(path, (mtime, mtime))


class CrushDB(SQLiteDB):
    """A Crush crush.db: sessions and messages as Crush's migrations
    leave them (workspace_cwd included)."""

    SCHEMA = """
    CREATE TABLE sessions (id TEXT PRIMARY KEY, parent_session_id TEXT,
        title TEXT NOT NULL, message_count INTEGER NOT NULL DEFAULT 0,
        prompt_tokens INTEGER NOT NULL DEFAULT 0,
        completion_tokens INTEGER NOT NULL DEFAULT 0,
        cost REAL NOT NULL DEFAULT 0.0, updated_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL, summary_message_id TEXT,
        workspace_cwd TEXT);
    CREATE TABLE messages (id TEXT PRIMARY KEY, session_id TEXT NOT NULL,
        role TEXT NOT NULL, parts BLOB NOT NULL default '[]', model TEXT,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
        finished_at INTEGER, provider TEXT);
    """

    def session(self, sid, parent, cost, created, updated, model, cwd=None):
        """A session (its token columns hold a last call's, as Crush's
        do) with a user message and two assistant ones, the last of
        them on model."""
        self.db.execute(
            "INSERT INTO sessions VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (sid, parent, "t", 3, 123456, 7890, cost, updated, created,
             None, cwd))
        for k, (role, m) in enumerate((("user", None), ("assistant", "old"),
                                       ("assistant", model))):
            self.db.execute(
                "INSERT INTO messages VALUES (?,?,?,?,?,?,?,?,?)",
                ("%s-m%d" % (sid, k), sid, role, "[]", m, created + k,
                 created + k, created + k, "anthropic"))



class ZedDB(SQLiteDB):
    """Zed's threads/threads.db: a thread a row, its JSON zstd-compressed
    (by the zstd program) or plain."""

    SCHEMA = """
    CREATE TABLE threads (id TEXT PRIMARY KEY, summary TEXT NOT NULL,
        updated_at TEXT NOT NULL, data_type TEXT NOT NULL,
        data BLOB NOT NULL, parent_id TEXT, folder_paths TEXT,
        folder_paths_order TEXT, created_at TEXT);
    """

    @staticmethod
    def usage(i, o, cw=0, cr=0):
        return {"input_tokens": i, "output_tokens": o,
                "cache_creation_input_tokens": cw,
                "cache_read_input_tokens": cr}

    def thread(self, tid, created, updated, folders, provider, model,
               cumulative=None, requests=None, data_type="zstd",
               imported=False):
        import subprocess
        doc = {"version": "0.3.0", "title": "t", "messages": [],
               "updated_at": updated, "model": {"provider": provider,
                                                "model": model},
               "completion_mode": "normal", "imported": imported}
        if cumulative is not None:
            doc["cumulative_token_usage"] = cumulative
        if requests is not None:
            doc["request_token_usage"] = requests
        data = json.dumps(doc).encode()
        if data_type == "zstd":
            data = subprocess.run(["zstd", "-q", "-c"], input=data,
                                  stdout=subprocess.PIPE, check=True).stdout
        self.db.execute(
            "INSERT INTO threads VALUES (?,?,?,?,?,?,?,?,?)",
            (tid, "t", updated, data_type, data, None, folders, None,
             created))

