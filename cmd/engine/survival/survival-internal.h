/*
 * What the files of the survival engine share (survival.h has what the
 * rest of the program may use). The engine as a whole is described in
 * survival.c; each file here is one of its parts:
 *
 *   survival.c  the run, the store of commits and deaths, the tally
 *   tree.c      line origins, copy-on-write file states, hunks on them
 *   diffread.c  reading the output of "git diff-tree"
 *   server.c    one-blob diffs, for merges, asked of git in bulk
 *   prefetch.c  a thread asking the server ahead of the replay
 *   replay.c    the walk: commits listed, diffs read, states replayed
 *   merge.c     a merge: blame's rule, file by file
 *   state.c     the state file under <common dir>/tokens/
 *   seed.c      a range's boundary commits, their files read when asked
 */
#ifndef TOKENS_SURVIVAL_INTERNAL_H
#define TOKENS_SURVIVAL_INTERNAL_H

#include "base/compat.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>
#include "base/die.h"
#include "base/oidmap.h"
#include "base/run-command.h"
#include "base/strbuf.h"
#include "engine/survival.h"

#define NONE UINT32_MAX          /* a line of no commit we replayed */
#define UNSET (UINT32_MAX - 1)   /* a merge's line not placed yet */
#define NBUCKET 1024
#define GITLINK_MODE 0160000

struct u32vec {
	uint32_t *v;
	size_t nr, alloc;
};

static inline void u32_push(struct u32vec *a, uint32_t x)
{
	ALLOC_GROW(a->v, a->nr + 1, a->alloc);
	a->v[a->nr++] = x;
}

static inline int is_gitlink(uint32_t mode)
{
	return (mode & S_IFMT) == GITLINK_MODE;
}

/* --- line origins, file states (tree.c) --------------------------------- */

struct lines {
	uint32_t refs;
	uint32_t nr;
	uint32_t v[];
};

struct fent {
	const char *path;        /* interned */
	struct lines *l;         /* NULL: binary, or lost track of */
	uint32_t mode;
	unsigned char blob[20];
};

struct bucket {
	uint32_t refs;
	size_t nr, alloc;
	struct fent *e;
};

/*
 * A commit's tree: buckets of files, each shared until written to.
 * With a seed, the paths it lacks are the seed's (a boundary commit's)
 * and a deleted path is kept as a tombstone, of mode 0 (seed.c).
 */
struct tstate {
	struct bucket *b[NBUCKET];
	struct seed *seed;
};

/* --- the whole (survival.c) --------------------------------------------- */

struct scommit {
	unsigned char oid[20];
	int64_t ct;           /* committer time */
	int64_t land;         /* when it reached the first-parent chain */
	uint32_t par, npar;   /* its parents: survival.parents[par..] */
	uint32_t pending;     /* children still to replay (+1 for the tip) */
	unsigned merge:1;
	unsigned chain:1;     /* on the tip's first-parent chain */
	unsigned replay:1;    /* replayed in this run */
	struct tstate *st;
};

/* Lines that left the mainline; also, as a birth, lines a merge made. */
struct death {
	uint32_t origin;      /* commit index */
	uint32_t count;
	int64_t time;         /* when the line left the mainline */
	const char *path;
};

struct survival {
	struct scommit *c;
	size_t nr, alloc;
	struct oidmap index;          /* oid -> commit index */
	uint32_t *parents;
	size_t nparents, parents_alloc;
	struct death *d;
	size_t nd, dalloc;
	struct death *b;              /* births: a merge's own lines */
	size_t nb, balloc;
	struct tstate *tip;
	char tip_oid[41];
	uint64_t lost;                /* files whose track was lost */
	uint64_t rounds, requests;    /* asked of the merge diff server */
	uint32_t *cnt;                /* survival_record_deaths()'s */
	uint64_t replayed;            /* commits replayed in this run */
	struct seeder *seeder;        /* a range's boundary, or NULL */
	size_t boundary;              /* boundary commits of the range */
};

/* --- reading git's answers (diffread.c) -------------------------------- */

struct rd {
	int fd;
	char *buf;
	size_t pos, len, alloc;
	int eof, err;
};

struct hunk {
	uint32_t a, b, c, d;   /* @@ -a,b +c,d @@ */
};

struct dentry {
	char status;           /* A D M R C T */
	uint32_t omode, nmode;
	unsigned char oblob[20], nblob[20];
	const char *opath, *npath;
	unsigned binary:1;
	unsigned sections;     /* "diff --git" sections seen: T has two */
	size_t h, nh;          /* its hunks in rec->h (T: the new file's) */
};

struct diff_record {
	struct strbuf head;
	struct dentry *e;
	size_t nr, alloc;
	struct hunk *h;
	size_t nh, halloc;
};

/* --- one-blob diffs for merges (server.c, prefetch.c) ------------------ */

/*
 * "git diff-tree" diffs trees, not blobs; trees of one entry ("x", the
 * blob) are made by "git mktree --batch" in a temporary object directory
 * that borrows the repository's objects, so nothing is written to it.
 */
struct server {
	struct child_process mk, dt;
	struct rd mk_rd, dt_rd;
	char *objdir;
	int started, failed;
	const char *indent_opt;
	struct diff_record rec;
};

struct request {
	unsigned char a[20], b[20];   /* blobs: from, to */
	int from_empty;               /* a file that is new: from nothing */
	size_t h, nh;                 /* answer: hunks in the hunk store */
	int ok;
};

struct answer;

struct prefetch {
	pthread_t th;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int running;
	size_t done;                 /* merges answered, in replay order */
	int finished;
	struct answer *ans;          /* published under lock */
	size_t nans, ans_alloc;
	size_t *slot, nslot;         /* (a, b) -> 1 + index into ans */
	struct hunk *h;
	size_t nh, halloc;
	/* the thread's own */
	struct server srv;
	struct repo *repo;
	int in_fd;
	const char *indent_opt;
};

/* --- the replay (replay.c, merge.c) ------------------------------------- */

struct replay {
	struct survival *s;
	struct repo *repo;
	struct diff_record rec;
	struct server srv;
	struct u32vec dead, kept;
	/* a merge's work */
	struct request *req;
	size_t nreq, req_alloc;
	struct hunk *h;
	size_t nh, halloc;
	struct prefetch pf;
	size_t merges;           /* merges replayed so far */
	int *answered;
	struct request *ask;
	size_t ask_alloc, answered_alloc;
	int srv_warned;
	/* renames against a merge's later parents, as blame finds them */
	struct child_process rn;
	struct rd rn_rd;
	int rn_started, rn_running, rn_failed;
	struct diff_record *rn_rec;  /* per parent of the merge */
	unsigned char *rn_asked;
	size_t rn_nr;
};

static inline int same_type(uint32_t a, uint32_t b)
{
	return (a & S_IFMT) == (b & S_IFMT);
}

/* survival.c */
uint32_t survival_add_commit(struct survival *s, const unsigned char oid[20]);
void survival_add_death(struct survival *s, uint32_t origin, uint32_t count,
			int64_t time, const char *path);
void survival_add_birth(struct survival *s, uint32_t origin, uint32_t count,
			const char *path);
void survival_record_deaths(struct survival *s, struct u32vec *dead,
			    struct u32vec *kept, const char *path,
			    int64_t time);
void survival_lose(struct survival *s, uint32_t k, const char *path,
		   const char *why);

/* tree.c */
struct lines *lines_new(size_t nr);
struct lines *lines_ref(struct lines *l);
void lines_unref(struct lines *l);
void lines_push_all(struct u32vec *v, const struct lines *l);
size_t ptr_hash(const char *path);
struct tstate *tstate_new(void);
struct tstate *tstate_copy(const struct tstate *s);
void tstate_free(struct tstate *s);
const struct fent *tstate_get(const struct tstate *s, const char *path);
void tstate_put(struct tstate *s, const char *path,
		const unsigned char *blob, uint32_t mode, struct lines *l);
void tstate_del(struct tstate *s, const char *path);
struct lines *apply_hunks(const struct lines *old, const struct hunk *h,
			  size_t nh, uint32_t fill, struct u32vec *dead);
int fill_from(struct lines *l, const struct lines *pl, const struct hunk *h,
	      size_t nh, struct u32vec *got);

/* diffread.c */
int rd_more(struct rd *r);
char *rd_token(struct rd *r, int term, size_t *len);
int rd_hex_oid(unsigned char out[20], const char *p);
int diff_record_read(struct rd *r, struct diff_record *rec, int head_term);
void diff_record_release(struct diff_record *rec);

/* server.c */
int server_spawn(struct child_process *cp);
int server_feed(int fd, const char *buf, size_t len);
int server_diff(struct server *sv, struct repo *repo, struct request *req,
		size_t n, struct hunk **h, size_t *nh, size_t *halloc);
void server_stop(struct server *sv);

/* prefetch.c */
void prefetch_start(struct prefetch *pf, struct repo *repo, int fd,
		    const char *indent_opt);
void prefetch_take(struct prefetch *pf, size_t ordinal, struct request *req,
		   size_t n, int *answered, struct hunk **h, size_t *nh,
		   size_t *halloc);
void prefetch_stop(struct prefetch *pf);

/*
 * replay.c, merge.c. survival_replay() returns 1 when opts' range does
 * not hold every commit of opts->need (nothing replayed).
 */
int survival_replay(struct survival *s, struct repo *repo, const char *tip,
		    const char *base, const struct survival_opts *opts);
int replay_merge(struct replay *rp, uint32_t k, struct tstate *st);
void replay_add_request(struct replay *rp, const struct fent *from,
			const unsigned char *to);
void replay_follow(const struct diff_record *rec, const char *commit,
		   const char *parent, const char *const *paths, size_t n,
		   const char **from, unsigned char *ok);
void replay_renames_stop(struct replay *rp);
int replay_only_exact_source(const struct diff_record *rec,
			     const struct dentry *e);

/* seed.c */
struct seeder *seeder_new(void);
struct tstate *seeder_state(struct seeder *sd, const unsigned char oid[20]);
const struct fent *seed_get(const struct tstate *st, const char *path);
int seeder_free(struct seeder *sd);

/* state.c */
int survival_state_load(struct survival *s, struct repo *repo);
int survival_state_store(struct survival *s, struct repo *repo);

#endif
