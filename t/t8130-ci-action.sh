#!/bin/sh

test_description='ci: the GitHub Action, its steps run as a script against a loopback forge'

. "$(dirname "$0")"/lib-tokens.sh

ACTION=$TEST_SRCDIR/../share/ci/action/action.yml
TOKEN=ghp_SENTINEL_ci_8130_token
R=/repos/acme/widget
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY \
	GITHUB_STEP_SUMMARY GITHUB_EVENT_PATH GITHUB_SHA GITHUB_REPOSITORY \
	GITHUB_API_URL GIT_TOKENS_GITHUB_API GITHUB_PATH RUNNER_TEMP

if python3 -c "import yaml" 2>/dev/null
then
	test_set_prereq YAML
fi

NOTE='{"v":1,"tool":"claude-code","model":"claude-sonnet-4-5","session":"3f9a1c0e2b7d","from":"2024-11-18T09:12:03Z","to":"2024-11-18T09:58:41Z","requests":41,"input":1830,"output":22410,"cache_write":51200,"cache_read":1960443,"cost_usd":1.2731,"by":"alice@example.com","how":"hook"}'

# run_action <clone> <log>: each step of action.yml as the runner runs
# a composite action: its "run" under bash -eo pipefail (what "shell:
# bash" means), its env with the inputs' defaults, PATH grown by what
# the steps appended to $GITHUB_PATH; the installed git-tokens finds its
# data where it was installed.
run_action () {
	(
		cd "$1" &&
		unset GIT_TOKENS_DATADIR &&
		GITHUB_ACTION_PATH=$(cd "$TEST_SRCDIR/../share/ci/action" && pwd) \
		GITHUB_PATH=$SHARNESS_TRASH_DIRECTORY/github_path \
		RUNNER_TEMP=$SHARNESS_TRASH_DIRECTORY/runner-temp \
		GITHUB_ACTIONS=true GITHUB_EVENT_NAME=pull_request \
		GITHUB_EVENT_PATH=$SHARNESS_TRASH_DIRECTORY/event.json \
		GITHUB_REPOSITORY=acme/widget GITHUB_API_URL=$HTTPD_URL/ \
		GITHUB_SERVER_URL=https://github.com GITHUB_SHA=$M \
		GITHUB_REF=refs/pull/5/merge \
		GITHUB_STEP_SUMMARY=$SHARNESS_TRASH_DIRECTORY/summary.md \
		python3 - "$ACTION" "$TOKEN" <<-\PY
		import os, re, subprocess, sys, yaml
		action = yaml.safe_load(open(sys.argv[1]))
		inputs = {k: v.get("default", "") for k, v in action["inputs"].items()}
		ctx = {"github.token": sys.argv[2]}
		ctx.update(("inputs." + k, v) for k, v in inputs.items())
		def expand(s):
		    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}",
		                  lambda m: expand(ctx[m.group(1)]), str(s))
		assert action["runs"]["using"] == "composite"
		for step in action["runs"]["steps"]:
		    assert step["shell"] == "bash", step
		    assert "${{" not in step["run"], "inputs go through env"
		    env = dict(os.environ)
		    paths = open(env["GITHUB_PATH"]).read().splitlines() \
		        if os.path.exists(env["GITHUB_PATH"]) else []
		    env["PATH"] = ":".join(paths[::-1] + [env["PATH"]])
		    env.update((k, expand(v)) for k, v in step.get("env", {}).items())
		    print("step:", step["name"], file=sys.stderr, flush=True)
		    subprocess.run(["bash", "--noprofile", "--norc", "-eo",
		                    "pipefail", "-c", step["run"]], env=env,
		                   check=True)
		PY
	) >"$2" 2>&1
}

test_expect_success 'setup: origin with a pull request and its notes' '
	request_origin refs/pull/5/head "$NOTE" &&
	pr_event event.json 5 $B $H &&
	merge_checkout ci &&
	mkdir srv &&
	echo "$R/issues/5/comments $R/issues/comments/" >srv/threads &&
	echo "{\"login\":\"github-actions[bot]\",\"type\":\"Bot\"}" >srv/whoami &&
	: >srv/routes &&
	HTTPD_URL=$(python3 "$TEST_SRCDIR/lib-httpd.py" --start --timeout 600 srv)
'

test_expect_success YAML 'the action builds git-tokens, fetches the notes, comments' '
	run_action ci run1.log || { cat run1.log; false; } &&
	# built from this tree into $RUNNER_TEMP, and on PATH from there
	test -x runner-temp/git-tokens/bin/git-tokens &&
	test "$(cat github_path)" = "$SHARNESS_TRASH_DIRECTORY/runner-temp/git-tokens/bin" &&
	test -f runner-temp/git-tokens/share/git-tokens/prices.json &&
	grep "^step: Report on the pull request" run1.log &&
	# the notes step fetched them
	git -C ci rev-parse -q --verify refs/notes/remotes/origin/tokens &&
	# the comment on the forge, with the token, holds the usage
	python3 -c "import json
reqs = [json.loads(l) for l in open(\"srv/requests.log\")]
posts = [r for r in reqs if r[\"method\"] == \"POST\"]
assert [r[\"path\"] for r in posts] == [\"$R/issues/5/comments\"], posts
assert all(r[\"headers\"].get(\"Authorization\") == \"Bearer $TOKEN\" for r in reqs)" &&
	grep "^### git tokens: pull request #5" summary.md &&
	grep "| 22.4k |" summary.md &&
	! grep "$TOKEN" run1.log summary.md
'

test_expect_success YAML 'a second run keeps the build it has and the comment' '
	run_action ci run2.log || { cat run2.log; false; } &&
	grep "is in .*runner-temp/git-tokens already" run2.log &&
	grep "comment 1001 on pull request #5 is up to date" run2.log &&
	test $(grep -c "^### git tokens: pull request #5" summary.md) = 2
'

test_expect_success 'stop the server' '
	python3 "$TEST_SRCDIR/lib-httpd.py" --stop srv
'

test_done
