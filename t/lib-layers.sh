# The layering rules of cmd/README.md, as a check (t0010). Needs only a
# POSIX shell, find and awk; source it, or run it: sh lib-layers.sh cmd
#
# check_layers <cmd-dir>: read the "layers:" and "library:" lines of
# <cmd-dir>/README.md and print one line per file in <cmd-dir> that
# breaks them:
#
#   - a quoted include of a higher layer than the file's own;
#   - a quoted include that names no layer folder ("config.h" aside);
#   - a file in a folder that is no layer;
#   - an external library's header included by a file other than the
#     library's owner.
#
# Files directly in <cmd-dir> (main) sit above every layer. Returns 0
# when nothing breaks the rules, 1 when something does, 2 when the
# rules cannot be read.
check_layers () {
	(
		cd "$1" || exit 2
		test -f README.md || {
			echo "check_layers: no README.md in $1" >&2
			exit 2
		}
		files=$(find . -type f \( -name '*.c' -o -name '*.h' \) |
			sed 's|^\./||' | LC_ALL=C sort) || exit 2
		test -n "$files" || exit 2
		# shellcheck disable=SC2086
		LC_ALL=C awk -v rules=README.md '
		function say(msg) {
			printf "%s:%d: %s\n", FILENAME, FNR, msg
			bad = 1
		}
		# Does header h (without <>) fall under library header l?
		function covers(l, h) {
			if (h == l)
				return 1
			if (index(h, substr(l, 1, length(l) - 2) "/") == 1)
				return 1
			return l ~ /\// && index(h, substr(l, 1, index(l, "/"))) == 1
		}
		BEGIN {
			nlayers = 0
			nlibs = 0
			while ((getline line < rules) > 0) {
				if (line ~ /^[ \t]*layers:/) {
					sub(/^[ \t]*layers:/, "", line)
					n = split(line, w, /[ \t]+/)
					for (i = 1; i <= n; i++)
						if (w[i] != "")
							rank[w[i]] = nlayers++
				} else if (line ~ /^[ \t]*library:/) {
					# library: <name> <owner> <header>...
					sub(/^[ \t]*library:[ \t]*/, "", line)
					n = split(line, w, /[ \t]+/)
					for (i = 3; i <= n; i++) {
						if (w[i] == "")
							continue
						lib[++nlibs] = w[i]
						gsub(/[<>]/, "", lib[nlibs])
						libname[nlibs] = w[1]
						owner[nlibs] = w[2]
					}
				}
			}
			if (!nlayers) {
				print "check_layers: no \"layers:\" line in " \
					rules > "/dev/stderr"
				fatal = 1
				exit
			}
		}
		FNR == 1 {
			if (FILENAME !~ /\//) {
				mine = ""
				myrank = nlayers
			} else {
				mine = substr(FILENAME, 1, index(FILENAME, "/") - 1)
				myrank = mine in rank ? rank[mine] : -1
				if (myrank < 0)
					say("folder \"" mine "\" is no layer of README.md")
			}
		}
		/^[ \t]*#[ \t]*include[ \t]*"/ {
			h = $0
			sub(/^[^"]*"/, "", h)
			sub(/".*/, "", h)
			if (h == "config.h")
				next
			l = index(h, "/") ? substr(h, 1, index(h, "/") - 1) : ""
			if (!(l in rank))
				say("includes \"" h "\", which names no layer folder")
			else if (myrank >= 0 && rank[l] > myrank)
				say("includes \"" h "\": " l " is above " mine)
			next
		}
		/^[ \t]*#[ \t]*include[ \t]*</ {
			h = $0
			sub(/^[^<]*</, "", h)
			sub(/>.*/, "", h)
			for (i = 1; i <= nlibs; i++)
				if (covers(lib[i], h) && FILENAME != owner[i])
					say("includes <" h ">: only " owner[i] \
					    " may (" libname[i] ")")
		}
		END { exit fatal ? 2 : bad }
		' $files
	)
}

# Run as a script: check the directory given.
case ${0##*/} in
lib-layers.sh) check_layers "${1:-cmd}" ;;
esac
