#!/bin/sh

test_description='cmd/: includes only go down the layers, and each external library has one owner'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-layers.sh

CMD=$TEST_SRCDIR/../cmd

test_expect_success 'cmd/README.md names the layers, lowest first, once' '
	grep "^ *layers: base " "$CMD/README.md" >layers &&
	test_line_count = 1 layers
'

test_expect_success 'every folder of cmd/ is a layer' '
	for d in "$CMD"/*/
	do
		d=${d%/} &&
		grep "^ *layers:.* ${d##*/}\( \|\$\)" "$CMD/README.md" ||
		return 1
	done
'

test_expect_success 'no file in cmd/ includes upward, or another library owner'\''s library' '
	check_layers "$CMD" >out 2>&1 || { cat out; false; } &&
	test_must_be_empty out
'

test_expect_success 'a copy of cmd/ passes the check' '
	cp -R "$CMD" copy &&
	check_layers copy
'

# plant <copy> <file> <line>: a copy of cmd/ whose <file> ends in <line>.
plant () {
	rm -rf "$1" && cp -R copy "$1" && echo "$3" >>"$1/$2"
}

test_expect_success 'an upward include is reported' '
	plant up base/strbuf.c "#include \"engine/notes.h\"" &&
	test_expect_code 1 check_layers up >out &&
	grep "^base/strbuf.c:[0-9]*: includes \"engine/notes.h\": engine is above base\$" out &&
	test_line_count = 1 out
'

test_expect_success 'an include that names no layer folder is reported' '
	plant bare model/event.c "#include \"strbuf.h\"" &&
	test_expect_code 1 check_layers bare >out &&
	grep "^model/event.c:[0-9]*: includes \"strbuf.h\", which names no layer folder\$" out &&
	test_line_count = 1 out
'

test_expect_success 'a library header outside its owner is reported' '
	plant lib engine/notes.c "#include <git2.h>" &&
	echo "#include <curl/easy.h>" >>lib/report/render.c &&
	test_expect_code 1 check_layers lib >out &&
	grep "^engine/notes.c:[0-9]*: includes <git2.h>: only git/repo.c may (libgit2)\$" out &&
	grep "^report/render.c:[0-9]*: includes <curl/easy.h>: only net/http.c may (libcurl)\$" out &&
	test_line_count = 2 out
'

test_expect_success 'a folder that is no layer is reported' '
	plant extra base/die.c "" &&
	mkdir extra/misc &&
	echo "#include \"base/die.h\"" >extra/misc/x.c &&
	test_expect_code 1 check_layers extra >out &&
	grep "^misc/x.c:1: folder \"misc\" is no layer of README.md\$" out
'

test_expect_success 'without its "layers:" line the check fails' '
	rm -rf norules && cp -R copy norules &&
	sed "/^ *layers:/d" copy/README.md >norules/README.md &&
	test_expect_code 2 check_layers norules 2>err &&
	grep "no \"layers:\" line" err
'

test_done
