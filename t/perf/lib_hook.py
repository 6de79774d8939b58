"""The post-commit hook's timing loop of p5000-post-commit.sh and
p1010-all-sources.sh: commits + 1 rounds, each a Claude Code response
appended to the current session, a commit made a minute after the last
without hooks, then the installed post-commit shim run by itself and
timed, and the note it wrote checked for that response. Run in the
repository, its hooks installed."""
import json, os, subprocess, sys, time


def hook_rounds(root, repo, commits, version=None):
    """The hook's times in ms, one a round, and with version (a
    git-tokens binary) the times of "version --version" run after each
    (else an empty list)."""
    proj = os.path.join(root, "projects", repo.replace("/", "-"))
    os.makedirs(proj, exist_ok=True)
    sid = "bench-now"
    times, start = [], []
    base = int(subprocess.run(["git", "log", "-1", "--format=%ct"],
                              capture_output=True, text=True).stdout)
    for i in range(commits + 1):
        # a commit a minute, a response half a minute before each
        t = base + 60 * (i + 1)
        env = dict(os.environ, GIT_COMMITTER_DATE="%d +0000" % t,
                   GIT_AUTHOR_DATE="%d +0000" % t)
        ts = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(t - 30))
        out = 100 + i
        # ids of their own: a session may outlive one run
        rec = {"type": "assistant", "cwd": repo, "sessionId": sid,
               "version": "2.1.39", "timestamp": ts,
               "requestId": "req_b%d_%d" % (t, i), "isSidechain": False,
               "message": {"model": "claude-sonnet-4-5",
                           "id": "msg_b%d_%d" % (t, i), "role": "assistant",
                           "content": [],
                           "usage": {"input_tokens": 3, "output_tokens": out,
                                     "cache_creation_input_tokens": 0,
                                     "cache_read_input_tokens": 1000}}}
        with open(os.path.join(proj, sid + ".jsonl"), "a") as f:
            f.write(json.dumps(rec) + "\n")
        with open(os.path.join(repo, "f.txt"), "a") as f:
            f.write("line %d\n" % i)
        subprocess.run(["git", "add", "f.txt"], check=True)
        subprocess.run(["git", "-c", "core.hooksPath=/dev/null", "commit",
                        "-q", "-m", "c%d" % i], check=True, env=env)
        t0 = time.perf_counter()
        subprocess.run([os.path.join(repo, ".git", "hooks", "post-commit")],
                       check=True, stdin=subprocess.DEVNULL)
        times.append((time.perf_counter() - t0) * 1000)
        if version:
            t0 = time.perf_counter()
            subprocess.run([version, "--version"], check=True,
                           stdout=subprocess.DEVNULL)
            start.append((time.perf_counter() - t0) * 1000)
        note = subprocess.run(["git", "notes", "--ref=tokens", "show",
                               "HEAD"], capture_output=True, text=True)
        if '"output":%d' % out not in note.stdout:
            sys.exit("commit %d got no note with its response: %r"
                     % (i, note.stdout[:300]))
    return times, start
