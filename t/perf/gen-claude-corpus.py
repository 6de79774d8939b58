#!/usr/bin/env python3
"""Write a synthetic Claude Code corpus and the per-day totals it holds.

    gen-claude-corpus.py <dir> [--mib 1100] [--files 2000] [--seed 1]

<dir>/projects/<project>/<session>.jsonl main transcripts (with
subagents/ folders), shaped like Claude Code 2.1.x writes them: one line
per content block of a streamed response (each with a copy of the usage,
output growing on the last one), user prompts and tool results, progress
records (some with a subagent response nested in them), file-history
snapshots; subagent transcripts (some deleted afterwards, so their
responses survive only nested in progress records); /btw side questions
that replay a parent response under a new request id; resumed sessions
that copy the tail of an earlier session into a new file.

<dir>/expected.json: for each UTC day, the requests and token counters
of the distinct responses, each counted once -- worked out from what was
generated, not by parsing the files.
"""
import argparse
import json
import os
import random
import shutil

MODELS = ["claude-opus-4-6", "claude-sonnet-4-5-20250929", "claude-haiku-4-5"]
DAYS = 90
DAY0 = 1785542400  # 2026-08-01T00:00:00Z


def iso(t_ms):
    import datetime
    dt = datetime.datetime.fromtimestamp(t_ms / 1000, datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t_ms % 1000)


def day_of(t_ms):
    import datetime
    dt = datetime.datetime.fromtimestamp(t_ms / 1000, datetime.timezone.utc)
    return dt.strftime("%Y-%m-%d")


class Gen:
    def __init__(self, args):
        self.rnd = random.Random(args.seed)
        self.root = os.path.join(args.dir, "projects")
        self.target = args.mib << 20
        self.nfiles = args.files
        self.written = 0
        self.files = 0
        self.seq = 0
        self.billed = {}   # (message id, request id) -> (day, usage)
        words = ("the quick brown fox jumps over a lazy dog while refactoring "
                 "parser tests in src lib cmd util json stream buffer offset "
                 "commit branch merge review token cache usage").split()
        self.text = " ".join(self.rnd.choice(words) for _ in range(40000))

    def filler(self, n):
        start = self.rnd.randrange(0, len(self.text) - n - 1)
        return self.text[start:start + n]

    def uid(self, prefix):
        self.seq += 1
        return "%s%08x%016x" % (prefix, self.seq, self.rnd.getrandbits(64))

    def usage(self, out):
        r = self.rnd
        cw5 = r.choice([0, 0, 0, r.randrange(100, 20000)])
        cw1 = r.choice([0, 0, 0, 0, r.randrange(100, 8000)])
        return {"input_tokens": r.randrange(1, 40),
                "cache_creation_input_tokens": cw5 + cw1,
                "cache_read_input_tokens": r.randrange(1000, 180000),
                "cache_creation": {"ephemeral_5m_input_tokens": cw5,
                                   "ephemeral_1h_input_tokens": cw1},
                "output_tokens": out,
                "service_tier": "standard", "inference_geo": "not_available"}

    def bill(self, mid, rid, t, u):
        key = (mid, rid)
        total = (u["input_tokens"] + u["output_tokens"]
                 + u["cache_creation_input_tokens"]
                 + u["cache_read_input_tokens"])
        old = self.billed.get(key)
        if old is None or total > old[2]:
            self.billed[key] = (day_of(t), u, total)

    def envelope(self, typ, t, cwd, sid, side=False, **kw):
        d = {"parentUuid": self.uid("u-"), "isSidechain": side,
             "userType": "external", "cwd": cwd, "sessionId": sid,
             "version": "2.1.39", "gitBranch": "main",
             "slug": "radiant-floating-music", "type": typ,
             "uuid": self.uid("u-"), "timestamp": iso(t)}
        d.update(kw)
        return d

    def response(self, t, cwd, sid, model, side=False, agent=None):
        """The lines of one streamed response and its final usage."""
        r = self.rnd
        mid, rid = self.uid("msg_01"), self.uid("req_011C")
        blocks = r.choice([1, 2, 2, 3, 3, 4])
        final = r.randrange(20, 3000)
        lines = []
        u = None
        for b in range(blocks):
            out = final if b == blocks - 1 else r.randrange(1, 12)
            u = self.usage(out) if u is None else dict(u, output_tokens=out)
            kind = r.choice(["thinking", "text", "tool_use"])
            if kind == "tool_use":
                content = [{"type": "tool_use", "id": self.uid("toolu_"),
                            "name": "Edit", "input": {
                                "file_path": "/src/a.c",
                                "old_string": self.filler(r.randrange(100, 2500)),
                                "new_string": self.filler(r.randrange(100, 2500))}}]
            else:
                content = [{"type": kind, kind: self.filler(r.randrange(200, 3000))}]
            msg = {"model": model, "id": mid, "type": "message",
                   "role": "assistant", "content": content,
                   "stop_reason": None, "stop_sequence": None, "usage": u}
            kw = {"agentId": agent} if agent else {}
            lines.append(self.envelope("assistant", t + b * 40, cwd, sid, side,
                                       message=msg, requestId=rid, **kw))
        self.bill(mid, rid, t, u)
        return lines, mid, rid, u

    def dumps(self, d):
        return json.dumps(d, separators=(",", ":"))

    def write(self, path, lines):
        path = os.path.join(self.root, path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = "\n".join(l if isinstance(l, str) else self.dumps(l)
                         for l in lines) + "\n"
        with open(path, "w") as f:
            f.write(data)
        self.written += len(data)
        self.files += 1

    def session(self, project, cwd, size):
        r = self.rnd
        sid = "%08x-%04x-4%03x-8%03x-%012x" % (
            r.getrandbits(32), r.getrandbits(16), r.getrandbits(12),
            r.getrandbits(12), r.getrandbits(48))
        t = (DAY0 + r.randrange(0, DAYS * 86400)) * 1000
        model = r.choice(MODELS)
        main, subs, n = [], {}, 0
        while n < size:
            first = len(main)
            prompt = self.envelope("user", t, cwd, sid, message={
                "role": "user", "content": self.filler(r.randrange(50, 800))})
            main.append(prompt)
            lines, mid, rid, u = self.response(t + 500, cwd, sid, model)
            main.extend(lines)
            if r.random() < 0.025:
                # a Task tool call: the subagent answers in its own file,
                # and Claude Code nests copies in progress records
                agent = "a%06x" % r.getrandbits(24)
                sub = subs.setdefault(agent, [])
                for k in range(r.randrange(1, 4)):
                    st = t + 2000 + k * 3000
                    sl, smid, srid, su = self.response(
                        st, cwd, sid, "claude-haiku-4-5", True, agent)
                    sub.extend(sl)
                    nested = dict(sl[-1])
                    main.append(self.envelope(
                        "progress", st + 10, cwd, sid,
                        data={"type": "agent_progress", "prompt": "",
                              "agentId": agent,
                              "message": {"type": "assistant",
                                          "timestamp": nested["timestamp"],
                                          "requestId": srid,
                                          "isSidechain": True,
                                          "message": nested["message"]}},
                        toolUseID=self.uid("toolu_"),
                        parentToolUseID=self.uid("toolu_")))
            for _ in range(r.randrange(0, 4)):
                main.append(self.envelope("progress", t + 900, cwd, sid, data={
                    "type": "bash_progress",
                    "output": self.filler(r.randrange(50, 600))}))
            main.append(self.envelope("user", t + 1500, cwd, sid, message={
                "role": "user", "content": [{
                    "type": "tool_result", "tool_use_id": self.uid("toolu_"),
                    "content": self.filler(r.randrange(200, 8000))}]}))
            if r.random() < 0.05:
                main.append({"type": "file-history-snapshot",
                             "messageId": self.uid("m-"),
                             "snapshot": {"trackedFileBackups": {}}})
            if r.random() < 0.01:
                # /btw: a side question replays this response
                btw = self.envelope("assistant", t + 4000, cwd, sid, True,
                                    message=dict(lines[-1]["message"]),
                                    requestId=self.uid("req_011C"))
                subs.setdefault("btw%04x" % r.getrandbits(16), []).append(btw)
            t += r.randrange(5, 300) * 1000
            n += sum(len(self.dumps(l)) for l in main[first:])
        self.write("%s/%s.jsonl" % (project, sid), main)
        for agent, sub in subs.items():
            path = "%s/%s/subagents/agent-%s.jsonl" % (project, sid, agent)
            if agent.startswith("a") and r.random() < 0.2:
                continue   # the transcript is gone: nested copies remain
            self.write(path, sub)
        return sid, main

    def run(self):
        r = self.rnd
        avg = self.target // self.nfiles
        projects = ["-home-u-src-%s" % p for p in
                    ("git-tokens", "api", "web", "infra", "ml", "docs")]
        sessions = []
        while self.written < self.target:
            p = r.choice(projects)
            cwd = "/home/u/src/" + p.rsplit("-", 1)[1]
            size = int(r.lognormvariate(0, 0.8) * avg * 4.5)
            sid, main = self.session(p, cwd, max(size, 20000))
            sessions.append((p, main))
            if r.random() < 0.08 and len(main) > 40:
                # resumed: the tail of this session copied into a new file
                nsid = self.uid("resumed-")
                tail = []
                for l in main[-r.randrange(20, 40):]:
                    l = dict(l)
                    if "sessionId" in l:
                        l["sessionId"] = nsid
                    tail.append(l)
                self.write("%s/%s.jsonl" % (p, nsid), tail)

    def expected(self):
        days = {}
        for day, u, _ in self.billed.values():
            d = days.setdefault(day, {"requests": 0, "input": 0, "output": 0,
                                      "cache_write": 0, "cache_read": 0})
            d["requests"] += 1
            d["input"] += u["input_tokens"]
            d["output"] += u["output_tokens"]
            d["cache_write"] += u["cache_creation_input_tokens"]
            d["cache_read"] += u["cache_read_input_tokens"]
        return dict(sorted(days.items()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--mib", type=int, default=1100)
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    shutil.rmtree(os.path.join(args.dir, "projects"), ignore_errors=True)
    g = Gen(args)
    g.run()
    with open(os.path.join(args.dir, "expected.json"), "w") as f:
        json.dump(g.expected(), f, indent=1)
    print("%d files, %.1f MiB, %d responses" % (
        g.files, g.written / 1048576.0, len(g.billed)))


if __name__ == "__main__":
    main()
