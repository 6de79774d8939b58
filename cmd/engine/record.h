#ifndef TOKENS_RECORD_H
#define TOKENS_RECORD_H

struct repo;

struct record_opts {
	int hook;      /* the post-commit hook: one warning at most */
	int dry_run;   /* print the note lines instead of writing them */
	int quiet;     /* say nothing when all is well */
};

#define RECORD_OPTS_INIT { .hook = 0, .dry_run = 0, .quiet = 0 }

/*
 * Write the local usage since the last recorded event, up to the commit
 * rev names, into the commit's note. Returns 0, or -1 after error();
 * with o->hook always 0, the first problem shown as one warning.
 */
int record_run(struct repo *repo, const char *rev,
	       const struct record_opts *o);

#endif
