#!/bin/sh

test_description='hooks install --cursor: the stop hook in ~/.cursor/hooks.json'

. "$(dirname "$0")"/lib-tokens.sh

HOME=$(pwd)
export HOME
HJ=$HOME/.cursor/hooks.json

# stop_commands: the commands of hooks.stop, one a line.
stop_commands () {
	python3 -c '
import json, sys
for e in json.load(open(sys.argv[1]))["hooks"].get("stop", []):
    print(e["command"])
' "$HJ"
}

test_expect_success 'setup' '
	git init -q repo
'

test_expect_success 'without a hooks.json: one is made, and uninstall removes it' '
	git -C repo tokens hooks install --cursor >out &&
	grep "installed the Cursor stop hook in .$HJ." out &&
	echo "git-tokens hooks cursor-stop" >expect &&
	stop_commands >actual &&
	test_cmp expect actual &&
	test "$(json_get version <"$HJ")" = 1 &&
	test -x repo/.git/hooks/post-commit &&
	git -C repo tokens hooks uninstall --cursor >out &&
	grep "removed the Cursor stop hook" out &&
	test_path_is_missing "$HJ" &&
	test_path_is_missing repo/.git/hooks/post-commit
'

test_expect_success 'beside the user hooks; uninstall puts the bytes back' '
	mkdir -p .cursor &&
	printf "{\n\t\"version\": 1,\n\t\"hooks\": {\n\t\t\"afterFileEdit\": [ { \"command\": \"./format.sh\" } ],\n\t\t\"stop\": [\n\t\t\t{ \"command\": \"./audit.sh\" }\n\t\t]\n\t}\n}" >"$HJ" &&
	cp "$HJ" before &&
	git -C repo tokens hooks install -q --cursor &&
	cat >expect <<-\EOF &&
	./audit.sh
	git-tokens hooks cursor-stop
	EOF
	stop_commands >actual &&
	test_cmp expect actual &&
	test "$(json_get hooks.afterFileEdit.0.command <"$HJ")" = ./format.sh &&
	git -C repo tokens hooks install --cursor >out &&
	grep "already in" out &&
	stop_commands >actual &&
	test_cmp expect actual &&
	git -C repo tokens hooks uninstall -q --cursor &&
	cmp before "$HJ"
'

test_expect_success 'no stop list, no hooks object, an empty object' '
	for text in "{\"version\":1,\"hooks\":{\"beforeShellExecution\":[]}}" \
		"{\"version\":1}" "{}" "{\"hooks\":{}}" \
		"{\"hooks\":{\"stop\":[]}}"
	do
		printf "%s\n" "$text" >"$HJ" &&
		cp "$HJ" before &&
		git -C repo tokens hooks install -q --cursor &&
		echo "git-tokens hooks cursor-stop" >expect &&
		stop_commands >actual &&
		test_cmp expect actual &&
		git -C repo tokens hooks uninstall -q --cursor &&
		cmp before "$HJ" || return 1
	done
'

test_expect_success 'edited since install: only our entry is taken out' '
	printf "{\"version\":1,\"hooks\":{\"stop\":[{\"command\":\"./a.sh\"}]}}\n" >"$HJ" &&
	git -C repo tokens hooks install -q --cursor &&
	python3 - "$HJ" <<-\PY &&
	import json, sys
	j = json.load(open(sys.argv[1]))
	j["hooks"]["stop"].append({"command": "./b.sh"})
	json.dump(j, open(sys.argv[1], "w"), indent=2)
	PY
	git -C repo tokens hooks uninstall -q --cursor &&
	cat >expect <<-\EOF &&
	./a.sh
	./b.sh
	EOF
	stop_commands >actual &&
	test_cmp expect actual &&
	python3 - "$HJ" <<-\PY &&
	import json, sys
	j = json.load(open(sys.argv[1]))
	j["hooks"]["stop"].insert(0, {"command": "git-tokens hooks cursor-stop"})
	json.dump(j, open(sys.argv[1], "w"))
	PY
	git -C repo tokens hooks uninstall -q --cursor &&
	stop_commands >actual &&
	test_cmp expect actual
'

test_expect_success 'a hooks.json that is not JSON is left alone' '
	printf "{ \"hooks\": oops" >"$HJ" &&
	cp "$HJ" before &&
	test_must_fail git -C repo tokens hooks install --cursor 2>err &&
	grep "is not a JSON object: not touching it" err &&
	cmp before "$HJ" &&
	printf "{\"hooks\":{\"stop\":{}}}" >"$HJ" &&
	test_must_fail git -C repo tokens hooks install --cursor 2>err &&
	grep "not a list" err
'

test_expect_success 'uninstall --cursor with nothing installed changes nothing' '
	rm -f "$HJ" &&
	git -C repo tokens hooks uninstall -q --cursor &&
	test_path_is_missing "$HJ"
'

test_expect_success 'hooks status reports the stop hook; it does not change the exit code' '
	rm -f "$HJ" &&
	git -C repo tokens hooks install -q &&
	git -C repo tokens hooks status >out &&
	grep "^cursor stop hook: not installed (optional: git tokens hooks install --cursor)$" out &&
	git -C repo tokens hooks install -q --cursor &&
	git -C repo tokens hooks status >out &&
	grep "^cursor stop hook: installed in .$HJ.$" out &&
	git -C repo tokens hooks uninstall -q &&
	test_expect_code 1 git -C repo tokens hooks status >out &&
	grep "^cursor stop hook: installed in" out &&
	git -C repo tokens hooks uninstall -q --cursor &&
	test_expect_code 1 git -C repo tokens hooks status >out &&
	grep "^cursor stop hook: not installed" out
'

test_expect_success 'install outside a repository is refused' '
	mkdir out-of-repo &&
	(cd out-of-repo && GIT_CEILING_DIRECTORIES=$(pwd)/.. &&
	 export GIT_CEILING_DIRECTORIES &&
	 test_expect_code 128 git tokens hooks install --cursor 2>../err) &&
	grep "not a git repository" err
'

test_done
