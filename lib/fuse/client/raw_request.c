/*
 * raw_request: words to bytes. Every word is checked whole, and the
 * request may not outgrow its buffer: a typo is an error naming the word,
 * never a request that is not the one asked for.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuse/client/fuse_words.h"
#include "fuse/client/raw_request.h"
#include "fuse/opcodes.h"
#include "util/array.h"
#include "util/number.h"

static const char *const fault_names[] = {
	[CHAIN_OK] = "ok", [CHAIN_ZERO_LENGTH] = "zero-length",
	[CHAIN_WRITABLE_FIRST] = "writable-first", [CHAIN_NO_REPLY_ROOM] = "no-reply-room",
	[CHAIN_OUTSIDE] = "outside",
};

int fuse_chain_fault_parse(const char *word, enum fuse_chain_fault *f)
{
	for (size_t i = 0; i < ARRAY_SIZE(fault_names); i++)
		if (!strcmp(word, fault_names[i])) {
			*f = (enum fuse_chain_fault)i;
			return 0;
		}
	return -EINVAL;
}

static int opcode_of(const char *w, uint32_t *op)
{
	unsigned long long v;
	const char *name = !strncasecmp(w, "FUSE_", 5) ? w + 5 : w;

	if (!number_parse(w, UINT32_MAX, &v)) {
		*op = (uint32_t)v;
		return 0;
	}
	for (unsigned i = 1; i < 100; i++) {
		const char *n = fuse_opcode_word(i);

		if (n && !strcasecmp(n, name)) {
			*op = i;
			return 0;
		}
	}
	return -EINVAL;
}

static int put(struct raw_request *q, const void *p, size_t n)
{
	if (n > sizeof(q->buf) - q->len)
		return -E2BIG;
	memcpy(q->buf + q->len, p, n);
	q->len += n;
	return 0;
}

static int hexval(char ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 :
	       ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* One FIELD word appended to @q. */
static int field(struct raw_request *q, const char *w)
{
	static const struct { const char *prefix; unsigned bytes; } ints[] = {
		{ "u8:", 1 }, { "u16:", 2 }, { "u32:", 4 }, { "u64:", 8 },
	};
	unsigned long long v;

	for (size_t i = 0; i < ARRAY_SIZE(ints); i++) {
		size_t pl = strlen(ints[i].prefix);

		if (!strncmp(w, ints[i].prefix, pl)) {
			unsigned bits = ints[i].bytes * 8;

			if (number_parse(w + pl, bits == 64 ? UINT64_MAX : (1ULL << bits) - 1, &v))
				return -EINVAL;
			return put(q, &v, ints[i].bytes); /* little-endian: x86_64, arm64 */
		}
	}
	if (!strncmp(w, "s:", 2))
		return put(q, w + 2, strlen(w + 2) + 1);
	if (!strncmp(w, "b:", 2))
		return put(q, w + 2, strlen(w + 2));
	if (!strncmp(w, "z:", 2)) {
		if (number_parse(w + 2, RAW_REQUEST_MAX, &v) || v > sizeof(q->buf) - q->len)
			return v > sizeof(q->buf) - q->len ? -E2BIG : -EINVAL;
		memset(q->buf + q->len, 0, v);
		q->len += v;
		return 0;
	}
	if (!strncmp(w, "x:", 2)) {
		size_t n = strlen(w + 2);

		if (!n || n % 2)
			return -EINVAL;
		for (size_t i = 0; i < n; i += 2) {
			int hi = hexval(w[2 + i]), lo = hexval(w[3 + i]);
			unsigned char b;

			if (hi < 0 || lo < 0)
				return -EINVAL;
			b = (unsigned char)(hi << 4 | lo);
			if (put(q, &b, 1))
				return -E2BIG;
		}
		return 0;
	}
	return -EINVAL;
}

/* One OPTION=V word; 1 when @w is not an option (the opcode comes). */
static int option(struct raw_request *q, struct fuse_in_header *h, const char *w, bool *len_set,
		  bool *reply_set)
{
	const char *eq = strchr(w, '=');
	unsigned long long v;

	if (!eq)
		return 1;
	if (!strncmp(w, "chain=", 6))
		return fuse_chain_fault_parse(eq + 1, &q->fault);
	if (!strncmp(w, "queue=", 6)) {
		if (!strcmp(eq + 1, "hiprio"))
			q->queue = FUSE_QUEUE_HIPRIO;
		else if (!strcmp(eq + 1, "request"))
			q->queue = FUSE_QUEUE_REQUEST;
		else if (!number_parse(eq + 1, 64, &v))
			q->queue = (enum fuse_queue)(FUSE_QUEUE_NTH + v);
		else
			return -EINVAL;
		return 0;
	}
	if (!strncmp(w, "len=", 4) && !number_parse(eq + 1, UINT32_MAX, &v)) {
		h->len = (uint32_t)v;
		*len_set = true;
		return 0;
	}
	if (!strncmp(w, "ext=", 4) && !number_parse(eq + 1, UINT16_MAX, &v)) {
		h->total_extlen = (uint16_t)v;
		return 0;
	}
	if (!strncmp(w, "unique=", 7) && !number_parse(eq + 1, UINT64_MAX, &v)) {
		h->unique = v;
		return 0;
	}
	if (!strncmp(w, "uid=", 4) && !number_parse(eq + 1, UINT32_MAX, &v)) {
		h->uid = (uint32_t)v;
		return 0;
	}
	if (!strncmp(w, "gid=", 4) && !number_parse(eq + 1, UINT32_MAX, &v)) {
		h->gid = (uint32_t)v;
		return 0;
	}
	if (!strncmp(w, "reply=", 6) && !number_parse(eq + 1, RAW_REQUEST_MAX, &v)) {
		q->reply_max = v;
		*reply_set = true;
		return 0;
	}
	return -EINVAL;
}

int raw_request_parse(struct fuse_client *c, int argc, char **argv, struct raw_request *q,
		      const char **why)
{
	struct fuse_in_header h = { .unique = fc_next_unique(c), .uid = c->uid, .gid = c->gid,
				    .pid = c->pid };
	bool len_set = false, reply_set = false;
	unsigned long long v;
	int i = 0, r;

	memset(q, 0, offsetof(struct raw_request, buf));
	q->queue = FUSE_QUEUE_REQUEST;
	q->reply_max = RAW_REQUEST_MAX;
	for (; i < argc && (r = option(q, &h, argv[i], &len_set, &reply_set)) != 1; i++)
		if (r) {
			*why = "an option is queue=hiprio|request|N, chain=ok|zero-length|"
			       "writable-first|no-reply-room|outside, len=, ext=, unique=, uid=, "
			       "gid= or reply=N";
			return -EINVAL;
		}
	if (argc - i < 2) {
		*why = "send wants an OPCODE and a NODEID";
		return -EINVAL;
	}
	if (opcode_of(argv[i], &h.opcode)) {
		*why = "an OPCODE is a name (LOOKUP) or a number";
		return -EINVAL;
	}
	if (number_parse(argv[i + 1], UINT64_MAX, &v)) {
		*why = "a NODEID is a number";
		return -EINVAL;
	}
	h.nodeid = v;
	q->len = sizeof(h);
	for (i += 2; i < argc; i++) {
		r = field(q, argv[i]);
		if (r) {
			*why = r == -E2BIG ? "the request outgrows 4096 bytes"
					   : "a FIELD is u8:|u16:|u32:|u64:N, s:TEXT, b:TEXT, x:HEX or z:N";
			return -EINVAL;
		}
	}
	if (!len_set)
		h.len = (uint32_t)q->len;
	if (!reply_set && (h.opcode == FUSE_FORGET || h.opcode == FUSE_BATCH_FORGET))
		q->reply_max = 0; /* no reply, as the kernel asks for none */
	memcpy(q->buf, &h, sizeof(h));
	return 0;
}

int raw_request_check(int argc, char **argv, const char **why)
{
	struct fuse_client c = { 0 };
	char *words[FUSE_WORDS_MAX_ARGS], stand_in[FUSE_WORDS_MAX_ARGS][24];
	struct raw_request *q;
	int r;

	if (argc > FUSE_WORDS_MAX_ARGS) {
		*why = "too many words";
		return -EINVAL;
	}
	for (int i = 0; i < argc; i++) {
		const char *sep = strpbrk(argv[i], ":=");

		words[i] = argv[i];
		if (!strchr(argv[i], '$'))
			continue;
		/* "u64:$n" as "u64:1", "unique=$u" as "unique=1", "$n" as "1". */
		snprintf(stand_in[i], sizeof(stand_in[i]), "%.*s1",
			 sep && sep < strchr(argv[i], '$') ? (int)(sep - argv[i] + 1) : 0, argv[i]);
		words[i] = stand_in[i];
	}
	q = malloc(sizeof(*q));
	if (!q)
		return -ENOMEM;
	r = raw_request_parse(&c, argc, words, q, why);
	free(q);
	return r;
}
