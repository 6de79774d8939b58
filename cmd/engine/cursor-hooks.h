#ifndef TOKENS_CURSOR_HOOKS_H
#define TOKENS_CURSOR_HOOKS_H

/*
 * The Cursor agent's "stop" hook that records its usage (see
 * sources/cursor.h), in the user's ~/.cursor/hooks.json: one entry
 * added to the "stop" list beside the user's own. What the file was
 * before is kept in git-tokens' data folder, so that uninstall puts it
 * back byte for byte when nobody changed it since; when somebody did,
 * only our entry is taken out.
 */

struct strbuf;

#define CURSOR_HOOK_COMMAND "git-tokens hooks cursor-stop"

/* 0 (done, or already there), or -1 after error(). */
int cursor_hooks_install(int quiet_opt);
/* 0 (done, or nothing to undo), or -1 after error(). */
int cursor_hooks_uninstall(int quiet_opt);
/*
 * 1 when our stop hook is in the file, 0 when not (no file, or a file
 * that cannot be read); *file gets its path.
 */
int cursor_hooks_installed(struct strbuf *file);

#endif
