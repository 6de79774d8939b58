/*
 * The summary cache: what a caller made of the events last time, kept
 * with the identity of all it came from (struct usage_summary).
 */
#include "base/compat.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/date.h"
#include "base/die.h"
#include "base/hash.h"
#include "base/paths.h"
#include "sources/sources-internal.h"

/* A header, the price warnings, then the caller's data. Host order. */
#define SUMMARY_MAGIC "GTKSUMRY"
#define SUMMARY_VERSION 1

struct summary_header {
	char magic[8];
	uint32_t version;
	uint32_t endian;
	uint64_t id;
	uint64_t warnings_len;
	uint64_t data_len;
};

uint64_t source_summary_id(uint64_t id, uint64_t v)
{
	return fnv1a(&v, sizeof(v), id);
}

uint64_t source_summary_begin(const struct usage_summary *s,
			      const struct usage_query *q)
{
	static const char version[] = PACKAGE_VERSION;
	uint64_t id = fnv1a(version, sizeof(version), FNV1A_INIT);
	char *exe = compat_exe_path(NULL);
	struct stat st;

	/* The binary itself: a build of the same version may sum apart. */
	if (exe && !stat(exe, &st)) {
		id = source_summary_id(id, (uint64_t)st.st_dev);
		id = source_summary_id(id, (uint64_t)st.st_ino);
		id = source_summary_id(id, (uint64_t)st.st_size);
		id = source_summary_id(id, (uint64_t)st.st_mtim.tv_sec);
		id = source_summary_id(id, (uint64_t)st.st_mtim.tv_nsec);
	}
	free(exe);
	id = fnv1a(s->name, strlen(s->name) + 1, id);
	id = source_summary_id(id, (uint64_t)q->since);
	id = source_summary_id(id, (uint64_t)q->until);
	return source_summary_id(id, date_zone_id());
}

int source_summary_read(struct usage_summary *s)
{
	struct strbuf sb = STRBUF_INIT;
	struct summary_header h;
	int hit = 0;

	if (!s->id || strbuf_read_file(&sb, s->path.buf, 0) < 0 ||
	    sb.len < sizeof(h))
		goto cleanup;
	memcpy(&h, sb.buf, sizeof(h));
	if (memcmp(h.magic, SUMMARY_MAGIC, 8) ||
	    h.version != SUMMARY_VERSION || h.endian != 0x01020304 ||
	    h.id != s->id || h.warnings_len > sb.len - sizeof(h) ||
	    h.data_len != sb.len - sizeof(h) - h.warnings_len)
		goto cleanup;
	strbuf_reset(&s->warnings);
	strbuf_add(&s->warnings, sb.buf + sizeof(h), (size_t)h.warnings_len);
	strbuf_reset(&s->data);
	strbuf_add(&s->data, sb.buf + sizeof(h) + h.warnings_len,
		   (size_t)h.data_len);
	hit = 1;
cleanup:
	strbuf_release(&sb);
	return hit;
}

int usage_summary_save(const struct usage_summary *s)
{
	struct summary_header h;
	struct write_part parts[3];

	if (!s->id || s->hit)
		return 0;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, SUMMARY_MAGIC, 8);
	h.version = SUMMARY_VERSION;
	h.endian = 0x01020304;
	h.id = s->id;
	h.warnings_len = s->warnings.len;
	h.data_len = s->data.len;
	parts[0].buf = &h;
	parts[0].len = sizeof(h);
	parts[1].buf = s->warnings.buf;
	parts[1].len = s->warnings.len;
	parts[2].buf = s->data.buf;
	parts[2].len = s->data.len;
	/* A cache: rebuilt when lost, so not worth an fsync. */
	return write_file_parts(s->path.buf, parts, 3, 0666, 0);
}

void usage_summary_release(struct usage_summary *s)
{
	strbuf_release(&s->data);
	strbuf_release(&s->path);
	strbuf_release(&s->warnings);
	s->hit = 0;
	s->id = 0;
}
