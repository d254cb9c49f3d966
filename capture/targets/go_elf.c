// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Go's function table (runtime/symtab.go, debug/gosym) in its three formats:
 *   Go 1.2-1.15 (magic 0xfffffffb): header, nfunc, then (pc, funcoff) pairs; funcoff and the
 *     name offset of each _func are relative to the table's start.
 *   Go 1.16-1.17 (0xfffffffa): header with nfunc, nfiles and offsets of the sub-tables
 *     (function names, ..., functab); functab holds (pc, funcoff) pairs, funcoff relative to it.
 *   Go 1.18+ (0xfffffff0, 1.20+: 0xfffffff1): as 1.16 plus textStart; functab holds 32-bit
 *     (entry - textStart, funcoff) pairs.
 * Each _func starts with its entry (pointer, or 32-bit offset from 1.18 on) and a 32-bit offset
 * of its name in the name table. The entries are sorted, so a function ends where the next one
 * starts. And the build info (debug/buildinfo): "\xff Go buildinf:", pointer size, flags; with
 * flag 2 (Go 1.18+) the version follows at +32 as a varint-prefixed string, else +16 holds a
 * pointer to a Go string header of the version.
 */
#define _GNU_SOURCE /* memmem */
#include "targets/go_elf.h"

#include <string.h>
#include <unistd.h>
#include <gelf.h>
#include <libelf.h>

#include "targets/elf_info.h"

#define MAGIC_12    0xfffffffbu
#define MAGIC_116   0xfffffffau
#define MAGIC_118   0xfffffff0u
#define MAGIC_120   0xfffffff1u

#define MAX_FUNCS   (8u << 20)
#define BI_MAGIC    "\xff Go buildinf:"
#define BI_MAGICLEN 14
#define BI_ALIGN    16
#define BI_HDR      32

struct seg {
	uint64_t vaddr, memsz, offset, filesz;
	uint32_t flags;
};

struct ec_go_file {
	gchar *path;
	int fd;
	Elf *elf;
	uint16_t machine;
	bool has_sections; /* else: stripped of section headers too, search the segments */
	GArray *segs;      /* struct seg, the PT_LOADs */
	gchar *version;
	/* The function table, as bytes of the file (owned by libelf or by us). */
	const uint8_t *tab;
	size_t tab_len;
	uint32_t magic;
	uint8_t ptrsize;
	uint64_t nfunc;
	uint64_t text_start;
	size_t names_off;    /* of the function name table, in tab */
	size_t functab_off;  /* of functab, in tab */
	size_t funcdata_off; /* funcoff values are relative to this */
};

static bool in_tab(const struct ec_go_file *g, uint64_t off, uint64_t len)
{
	return off <= g->tab_len && len <= g->tab_len - off;
}

static uint64_t rd(const uint8_t *p, unsigned int size)
{
	uint64_t v = 0;

	memcpy(&v, p, size); /* little-endian only: x86-64 */
	return v;
}

static uint64_t tab_word(const struct ec_go_file *g, uint64_t off, unsigned int size, bool *ok)
{
	if (!in_tab(g, off, size)) {
		*ok = false;
		return 0;
	}
	return rd(g->tab + off, size);
}

static bool read_at(const struct ec_go_file *g, uint64_t off, void *buf, size_t len)
{
	return pread(g->fd, buf, len, (off_t)off) == (ssize_t)len;
}

static bool read_vaddr(const struct ec_go_file *g, uint64_t vaddr, void *buf, size_t len)
{
	uint64_t off = ec_elf_vaddr_offset(g->elf, vaddr, len, 0);

	return off != UINT64_MAX && read_at(g, off, buf, len);
}

/*
 * LEN bytes of the file at OFFSET, read by libelf and owned by it (*GOT: how many); NULL when
 * they are not all in the file.
 */
static const uint8_t *file_bytes(const struct ec_go_file *g, uint64_t offset, uint64_t len,
                                 size_t *got)
{
	Elf_Data *d;

	*got = 0;
	if (offset > INT64_MAX || len > SIZE_MAX)
		return NULL;
	d = elf_getdata_rawchunk(g->elf, (int64_t)offset, (size_t)len, ELF_T_BYTE);
	if (!d || !d->d_buf)
		return NULL;
	*got = d->d_size;
	return d->d_buf;
}

static int load_segments(struct ec_go_file *g)
{
	size_t n;

	if (elf_getphdrnum(g->elf, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		struct seg s;

		if (!gelf_getphdr(g->elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		s = (struct seg){ph.p_vaddr, ph.p_memsz, ph.p_offset, ph.p_filesz, ph.p_flags};
		g_array_append_val(g->segs, s);
	}
	return 0;
}

/* --- build info ----------------------------------------------------------------------------- */

static bool uvarint(const uint8_t *p, size_t len, uint64_t *v, size_t *used)
{
	*v = 0;
	for (size_t i = 0; i < len && i < 10; i++) {
		*v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*used = i + 1;
			return true;
		}
	}
	return false;
}

static gchar *printable_version(const uint8_t *s, size_t len)
{
	if (len == 0 || len > 64)
		return NULL;
	for (size_t i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] >= 0x7f)
			return NULL;
	return g_strndup((const char *)s, len);
}

/* The version from the 32-byte header at VADDR, whose bytes (as many as are left) are P. */
static gchar *buildinfo_version(struct ec_go_file *g, const uint8_t *p, size_t len)
{
	uint8_t ptrsize = p[14], flags = p[15];

	if (flags & 2) { /* Go 1.18+: inline strings */
		uint64_t n;
		size_t used;

		if (len < BI_HDR || !uvarint(p + BI_HDR, len - BI_HDR, &n, &used) ||
		    n > len - BI_HDR - used)
			return NULL;
		return printable_version(p + BI_HDR + used, n);
	}
	if (ptrsize != 8 || flags != 0 || len < 16 + 8)
		return NULL; /* 32-bit or big-endian: not this machine's */
	{
		uint64_t hdr_addr = rd(p + 16, 8), str[2];
		uint8_t buf[64];

		if (!read_vaddr(g, hdr_addr, str, sizeof(str)) || str[1] == 0 ||
		    str[1] > sizeof(buf) || !read_vaddr(g, str[0], buf, str[1]))
			return NULL;
		return printable_version(buf, str[1]);
	}
}

static void find_buildinfo(struct ec_go_file *g)
{
	static const char *const names[] = {".go.buildinfo", NULL};
	GElf_Shdr shdr;
	Elf_Scn *scn = ec_elf_next_named_section(g->elf, NULL, names, false, &shdr);
	const uint8_t *data = NULL;
	size_t len = 0;
	uint64_t vaddr = 0;

	if (scn) {
		Elf_Data *d = elf_rawdata(scn, NULL);

		if (d && d->d_buf) {
			data = d->d_buf;
			len = d->d_size;
			vaddr = shdr.sh_addr;
		}
	} else if (!g->has_sections) {
		/* No section headers: the first writable segment, as debug/buildinfo does. */
		for (guint i = 0; i < g->segs->len; i++) {
			const struct seg *s = &g_array_index(g->segs, struct seg, i);

			if (!(s->flags & PF_W))
				continue;
			data = file_bytes(g, s->offset, MIN(s->filesz, 1u << 20), &len);
			vaddr = s->vaddr;
			break;
		}
	}
	for (size_t i = 0; data && i + BI_HDR <= len;) {
		const uint8_t *hit = memmem(data + i, len - i, BI_MAGIC, BI_MAGICLEN);

		if (!hit)
			break;
		i = hit - data;
		if ((vaddr + i) % BI_ALIGN == 0 && i + BI_HDR <= len) {
			g->version = buildinfo_version(g, hit, len - i);
			return;
		}
		i++;
	}
}

/* --- function table ------------------------------------------------------------------------- */

static bool parse_tab(struct ec_go_file *g, uint64_t text_section)
{
	bool ok = true;
	uint64_t p;

	if (g->tab_len < 16)
		return false;
	g->magic = (uint32_t)rd(g->tab, 4);
	g->ptrsize = g->tab[7];
	if (g->tab[4] || g->tab[5] || g->ptrsize != 8 ||
	    (g->tab[6] != 1 && g->tab[6] != 2 && g->tab[6] != 4))
		return false;
	p = g->ptrsize;
	g->nfunc = tab_word(g, 8, p, &ok);
	switch (g->magic) {
	case MAGIC_118:
	case MAGIC_120:
		g->text_start = tab_word(g, 8 + 2 * p, p, &ok);
		g->names_off = tab_word(g, 8 + 3 * p, p, &ok);
		g->functab_off = tab_word(g, 8 + 7 * p, p, &ok);
		g->funcdata_off = g->functab_off;
		/*
		 * textStart is relocated at load in PIE files; if the file holds no value, the
		 * text section's address is what the runtime puts there (runtime.text).
		 */
		if (!g->text_start)
			g->text_start = text_section;
		ok = ok && g->text_start && in_tab(g, g->functab_off, (g->nfunc + 1) * 8);
		break;
	case MAGIC_116:
		g->names_off = tab_word(g, 8 + 2 * p, p, &ok);
		g->functab_off = tab_word(g, 8 + 6 * p, p, &ok);
		g->funcdata_off = g->functab_off;
		ok = ok && in_tab(g, g->functab_off, (g->nfunc * 2 + 1) * p);
		break;
	case MAGIC_12:
		g->names_off = 0;
		g->functab_off = 8 + p;
		g->funcdata_off = 0;
		ok = ok && in_tab(g, g->functab_off, (g->nfunc * 2 + 1) * p);
		break;
	default:
		return false;
	}
	return ok && g->nfunc > 0 && g->nfunc < MAX_FUNCS && g->names_off < g->tab_len;
}

static bool looks_like_tab(const uint8_t *p, size_t len)
{
	uint32_t magic;

	if (len < 16)
		return false;
	magic = (uint32_t)rd(p, 4);
	return (magic == MAGIC_12 || magic == MAGIC_116 || magic == MAGIC_118 ||
	        magic == MAGIC_120) &&
	       !p[4] && !p[5] && (p[6] == 1 || p[6] == 2 || p[6] == 4) && p[7] == 8;
}

static void find_tab(struct ec_go_file *g, uint64_t text_section)
{
	static const char *const names[] = {".gopclntab", ".data.rel.ro.gopclntab", NULL};
	GElf_Shdr shdr;
	Elf_Scn *scn = ec_elf_next_named_section(g->elf, NULL, names, false, &shdr);

	if (scn) {
		Elf_Data *d = elf_rawdata(scn, NULL);

		if (d && d->d_buf) {
			g->tab = d->d_buf;
			g->tab_len = d->d_size;
			if (parse_tab(g, text_section))
				return;
		}
		g->tab = NULL;
	}
	if (g->has_sections)
		return; /* a Go linker always names the table; without one this is no Go program */
	/* No section headers: search the non-executable segments for a header that parses. */
	for (guint i = 0; i < g->segs->len; i++) {
		const struct seg *s = &g_array_index(g->segs, struct seg, i);
		const uint8_t *data;
		size_t len;

		if (s->flags & PF_X)
			continue;
		data = file_bytes(g, s->offset, s->filesz, &len);
		for (size_t off = 0; data && off + 16 <= len; off += 8) {
			if (!looks_like_tab(data + off, len - off))
				continue;
			g->tab = data + off;
			g->tab_len = len - off;
			if (parse_tab(g, text_section))
				return;
		}
	}
	g->tab = NULL;
	g->tab_len = 0;
}

static uint64_t text_section_addr(struct ec_go_file *g)
{
	static const char *const names[] = {".text", NULL};
	GElf_Shdr shdr;

	return ec_elf_next_named_section(g->elf, NULL, names, false, &shdr) ? shdr.sh_addr : 0;
}

struct ec_go_file *ec_go_open(const char *path, GError **err)
{
	struct ec_go_file *g;
	GElf_Ehdr eh;
	Elf *elf;
	int fd = ec_elf_begin(path, &elf, err);

	if (fd < 0)
		return NULL;
	g = g_new0(struct ec_go_file, 1);
	g->path = g_strdup(path);
	g->fd = fd;
	g->elf = elf;
	g->segs = g_array_new(FALSE, FALSE, sizeof(struct seg));
	if (!gelf_getehdr(g->elf, &eh) || load_segments(g) < 0) {
		g_set_error(err, EC_ELF_ERROR, EC_ELF_ERROR_NOT_ELF, "%s: not an ELF file", path);
		ec_go_close(g);
		return NULL;
	}
	g->machine = eh.e_machine;
	{
		size_t shnum = 0;

		g->has_sections = elf_getshdrnum(g->elf, &shnum) == 0 && shnum > 1;
	}
	find_buildinfo(g);
	find_tab(g, text_section_addr(g));
	if (!g->tab) {
		g_set_error(err, EC_ELF_ERROR, EC_ELF_ERROR_NOT_FOUND,
		            g->version ? "%s: Go %s program without a readable function table"
		                       : "%s: not a Go program%s",
		            path, g->version ? g->version : "");
		ec_go_close(g);
		return NULL;
	}
	return g;
}

void ec_go_close(struct ec_go_file *g)
{
	if (!g)
		return;
	if (g->elf)
		elf_end(g->elf);
	if (g->fd >= 0)
		close(g->fd);
	g_array_unref(g->segs);
	g_free(g->version);
	g_free(g->path);
	g_free(g);
}

const char *ec_go_version(const struct ec_go_file *g)
{
	return g->version;
}

int ec_go_minor_version(const char *v)
{
	char *end;
	long minor;

	if (!v || strncmp(v, "go1.", 4) != 0)
		return -1;
	minor = strtol(v + 4, &end, 10);
	if (end == v + 4 || minor < 0 || minor > 1000)
		return -1;
	return (int)minor;
}

int ec_go_abi(const struct ec_go_file *g, GError **err)
{
	int minor = ec_go_minor_version(g->version);

	if (g->machine != EM_X86_64) {
		g_set_error(err, EC_ELF_ERROR, EC_ELF_ERROR_NOT_FOUND,
		            "%s: Go programs are traced on x86-64 only", g->path);
		return -1;
	}
	if (minor >= 0)
		return minor >= 17 ? EC_GO_ABI_REG : EC_GO_ABI_STACK;
	if (g->magic == MAGIC_118 || g->magic == MAGIC_120)
		return EC_GO_ABI_REG;
	if (g->magic == MAGIC_12)
		return EC_GO_ABI_STACK;
	g_set_error(err, EC_ELF_ERROR, EC_ELF_ERROR_NOT_FOUND,
	            "%s: Go 1.16 or 1.17 without build info: cannot tell its calling convention",
	            g->path);
	return -1;
}

/* Entry address of function I, and the table offset of its _func; false if out of bounds. */
static bool func_at(const struct ec_go_file *g, uint64_t i, uint64_t *entry, uint64_t *func_off)
{
	bool ok = true;
	uint64_t p = g->ptrsize;

	if (g->magic == MAGIC_118 || g->magic == MAGIC_120) {
		*entry = g->text_start + tab_word(g, g->functab_off + i * 8, 4, &ok);
		*func_off = g->funcdata_off + tab_word(g, g->functab_off + i * 8 + 4, 4, &ok);
	} else {
		*entry = tab_word(g, g->functab_off + i * 2 * p, p, &ok);
		*func_off = g->funcdata_off + tab_word(g, g->functab_off + i * 2 * p + p, p, &ok);
	}
	return ok;
}

/* The name of the function whose _func is at FUNC_OFF (in the table), or NULL. */
static const char *func_name(const struct ec_go_file *g, uint64_t func_off)
{
	bool ok = true;
	unsigned int entry_size = (g->magic == MAGIC_118 || g->magic == MAGIC_120) ? 4 : 8;
	int32_t name_off = (int32_t)tab_word(g, func_off + entry_size, 4, &ok);
	uint64_t at;

	if (!ok || name_off < 0)
		return NULL;
	at = g->names_off + (uint64_t)name_off;
	if (at >= g->tab_len || !memchr(g->tab + at, '\0', g->tab_len - at))
		return NULL;
	return (const char *)g->tab + at;
}

/* Function I as a struct ec_go_func; false if its bounds or code are not in the file. */
static bool func_info(const struct ec_go_file *g, uint64_t i, struct ec_go_func *out)
{
	uint64_t entry, next, fo;

	if (!func_at(g, i, &entry, &fo) || !func_at(g, i + 1, &next, &fo) || next <= entry)
		return false;
	out->vaddr = entry;
	out->size = next - entry;
	out->offset = ec_elf_vaddr_offset(g->elf, entry, out->size, PF_X);
	return out->offset != UINT64_MAX;
}

void ec_go_foreach_func(const struct ec_go_file *g, const char *prefix,
                        gboolean (*fn)(const char *name, const struct ec_go_func *f, void *user),
                        void *user)
{
	size_t plen = strlen(prefix);

	for (uint64_t i = 0; i < g->nfunc; i++) {
		uint64_t entry, fo;
		const char *name;
		struct ec_go_func f;

		if (!func_at(g, i, &entry, &fo) || !(name = func_name(g, fo)) ||
		    strncmp(name, prefix, plen) != 0 || !func_info(g, i, &f))
			continue;
		if (!fn(name, &f, user))
			return;
	}
}

struct find_ctx {
	const char *name;
	struct ec_go_func *out;
	gboolean found;
};

static gboolean find_one(const char *name, const struct ec_go_func *f, void *user)
{
	struct find_ctx *c = user;

	if (strcmp(name, c->name) != 0)
		return TRUE;
	*c->out = *f;
	c->found = TRUE;
	return FALSE;
}

gboolean ec_go_find_func(const struct ec_go_file *g, const char *name, struct ec_go_func *out)
{
	struct find_ctx c = {.name = name, .out = out};

	ec_go_foreach_func(g, name, find_one, &c);
	return c.found;
}

uint8_t *ec_go_read_code(const struct ec_go_file *g, uint64_t offset, size_t len, GError **err)
{
	uint8_t *buf = g_malloc(len ? len : 1);

	if (!read_at(g, offset, buf, len)) {
		g_set_error(err, EC_ELF_ERROR, EC_ELF_ERROR_MALFORMED,
		            "%s: cannot read %zu bytes of code at 0x%llx", g->path, len,
		            (unsigned long long)offset);
		g_free(buf);
		return NULL;
	}
	return buf;
}
