# Shared by the Cursor tests (t1146, t1530).

# cursor_stored <store>: per author and model, the count and counters
# (input, output, cache write, cache read) of the Cursor events in the
# provider usage store; each line is checked to be Cursor's and to
# carry no recorded cost.
cursor_stored () {
	python3 - "$1" <<-\PY
	import json, sys
	lines = open(sys.argv[1]).read().splitlines()
	assert json.loads(lines[0])["version"] == 1
	tot = {}
	for l in lines[1:]:
	    e = json.loads(l)
	    assert e["tool"] == "cursor" and "cost_usd" not in e, e
	    r = tot.setdefault((e.get("author", "-"), e["model"]),
	                       [0, 0, 0, 0, 0])
	    r[0] += 1
	    for i, k in enumerate(("input", "output", "cache_write",
	                           "cache_read")):
	        r[i + 1] += e[k]
	for k in sorted(tot):
	    print(*k, *tot[k])
	PY
}
