/*
 * zstd decompression for the sources that read compressed logs: the
 * one file that includes zstd.h.
 */
#include "config.h"

#ifdef HAVE_ZSTD
#include <zstd.h>
#endif

#include "sources/zstd.h"

#ifdef HAVE_ZSTD
int source_zstd_supported(void)
{
	return 1;
}

int source_zstd_decode(const char *buf, size_t len, size_t max,
		       struct strbuf *out)
{
	ZSTD_DStream *ds = ZSTD_createDStream();
	ZSTD_inBuffer ib;
	size_t start = out->len;
	int ret = -1;

	if (!ds || ZSTD_isError(ZSTD_initDStream(ds)))
		goto cleanup;
	ib.src = buf;
	ib.size = len;
	ib.pos = 0;
	while (ib.pos < ib.size) {
		ZSTD_outBuffer ob;
		size_t rc;

		strbuf_grow(out, 1 << 20);
		ob.dst = out->buf + out->len;
		ob.size = out->alloc - out->len - 1;
		ob.pos = 0;
		rc = ZSTD_decompressStream(ds, &ob, &ib);
		if (ZSTD_isError(rc))
			goto cleanup;
		strbuf_setlen(out, out->len + ob.pos);
		if (out->len - start > max)
			goto cleanup;
		if (!ob.pos && !rc)
			break;
	}
	ret = 0;
cleanup:
	ZSTD_freeDStream(ds);
	return ret;
}
#else
int source_zstd_supported(void)
{
	return 0;
}

int source_zstd_decode(const char *buf, size_t len, size_t max,
		       struct strbuf *out)
{
	(void)buf;
	(void)len;
	(void)max;
	(void)out;
	return -1;
}
#endif
