// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE /* memmem */
#include "targets/elf_info.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gelf.h>
#include <libelf.h>

#define MIN_STRING_LEN 4

struct ec_elf {
	gchar *path;
	int fd;
	Elf *elf;
};

G_DEFINE_QUARK(ec-elf-error-quark, ec_elf_error);

static gboolean libelf_ready(void)
{
	static gsize once;
	static gboolean ok;

	if (g_once_init_enter(&once)) {
		ok = elf_version(EV_CURRENT) != EV_NONE;
		g_once_init_leave(&once, 1);
	}
	return ok;
}

static void set_malformed(struct ec_elf *e, GError **err, const char *what)
{
	g_set_error(err, EC_ELF_ERROR, EC_ELF_ERROR_MALFORMED, "%s: malformed ELF file (%s: %s)",
	            e->path, what, elf_errmsg(-1));
}

int ec_elf_begin(const char *path, Elf **elf, GError **err)
{
	struct stat st;
	int fd;

	*elf = NULL;
	if (!libelf_ready()) {
		g_set_error(err, EC_ELF_ERROR, EC_ELF_ERROR_OPEN, "libelf: %s", elf_errmsg(-1));
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		int errsv = errno;

		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errsv), "%s: %s", path,
		            g_strerror(errsv));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		g_set_error(err, EC_ELF_ERROR, EC_ELF_ERROR_OPEN, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	*elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!*elf || elf_kind(*elf) != ELF_K_ELF) {
		g_set_error(err, EC_ELF_ERROR, EC_ELF_ERROR_NOT_ELF, "%s: not an ELF file", path);
		if (*elf)
			elf_end(*elf);
		*elf = NULL;
		close(fd);
		return -1;
	}
	return fd;
}

struct ec_elf *ec_elf_open(const char *path, GError **err)
{
	struct ec_elf *e;
	GElf_Ehdr ehdr;
	Elf *elf;
	int fd = ec_elf_begin(path, &elf, err);

	if (fd < 0)
		return NULL;
	e = g_new0(struct ec_elf, 1);
	e->path = g_strdup(path);
	e->fd = fd;
	e->elf = elf;
	if (!gelf_getehdr(e->elf, &ehdr)) {
		set_malformed(e, err, "ELF header");
		ec_elf_close(e);
		return NULL;
	}
	return e;
}

void ec_elf_close(struct ec_elf *e)
{
	if (!e)
		return;
	if (e->elf)
		elf_end(e->elf);
	if (e->fd >= 0)
		close(e->fd);
	g_free(e->path);
	g_free(e);
}

const char *ec_elf_path(const struct ec_elf *e)
{
	return e->path;
}

Elf_Scn *ec_elf_next_section(Elf *elf, Elf_Scn *after, Elf64_Word type, GElf_Shdr *shdr)
{
	Elf_Scn *scn = after;

	while ((scn = elf_nextscn(elf, scn))) {
		if (gelf_getshdr(scn, shdr) && shdr->sh_type == type)
			return scn;
	}
	return NULL;
}

Elf_Scn *ec_elf_next_named_section(Elf *elf, Elf_Scn *after, const char *const *names, bool prefix,
                                   GElf_Shdr *shdr)
{
	size_t shstrndx;
	Elf_Scn *scn = after;

	if (elf_getshdrstrndx(elf, &shstrndx) < 0)
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, shdr) || shdr->sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(elf, shstrndx, shdr->sh_name);
		for (const char *const *n = names; name && *n; n++)
			if (prefix ? g_str_has_prefix(name, *n) : !strcmp(name, *n))
				return scn;
	}
	return NULL;
}

gchar *ec_elf_build_id(struct ec_elf *e, GError **err)
{
	size_t nphdr, i;

	if (elf_getphdrnum(e->elf, &nphdr) < 0) {
		set_malformed(e, err, "program headers");
		return NULL;
	}
	/* Program headers, not sections: what the loader sees, and survives section stripping. */
	for (i = 0; i < nphdr; i++) {
		GElf_Phdr ph;
		Elf_Data *data;
		size_t off = 0, next, name_off, desc_off;
		GElf_Nhdr nh;

		if (!gelf_getphdr(e->elf, (int)i, &ph) || ph.p_type != PT_NOTE)
			continue;
		data = elf_getdata_rawchunk(e->elf, (int64_t)ph.p_offset, ph.p_filesz,
		                            ph.p_align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR);
		if (!data)
			continue;
		while ((next = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
			const char *name = (const char *)data->d_buf + name_off;

			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    memcmp(name, "GNU", 4) == 0 && nh.n_descsz > 0) {
				const guint8 *d = (const guint8 *)data->d_buf + desc_off;
				GString *hex = g_string_sized_new(nh.n_descsz * 2);

				for (size_t k = 0; k < nh.n_descsz; k++)
					g_string_append_printf(hex, "%02x", d[k]);
				return g_string_free(hex, FALSE);
			}
			off = next;
		}
	}
	g_set_error(err, EC_ELF_ERROR, EC_ELF_ERROR_NOT_FOUND, "%s: no GNU build-id note", e->path);
	return NULL;
}

/*
 * Calls FN on each dynamic entry with string tag TAG (its string as argument) until FN returns
 * FALSE. Returns FALSE with ERR set if the dynamic section is unreadable.
 */
static gboolean foreach_dyn_string(struct ec_elf *e, Elf64_Sxword tag,
                                   gboolean (*fn)(const char *s, gpointer user), gpointer user,
                                   GError **err)
{
	GElf_Shdr shdr;
	Elf_Scn *scn = ec_elf_next_section(e->elf, NULL, SHT_DYNAMIC, &shdr);
	Elf_Data *data;
	size_t entsize, n;

	if (!scn)
		return TRUE; /* a static executable: no entries */
	data = elf_getdata(scn, NULL);
	entsize = gelf_fsize(e->elf, ELF_T_DYN, 1, EV_CURRENT);
	if (!data || entsize == 0) {
		set_malformed(e, err, "dynamic section");
		return FALSE;
	}
	n = data->d_size / entsize;
	for (size_t i = 0; i < n; i++) {
		GElf_Dyn dyn;
		const char *s;

		if (!gelf_getdyn(data, (int)i, &dyn)) {
			set_malformed(e, err, "dynamic entry");
			return FALSE;
		}
		if (dyn.d_tag == DT_NULL)
			break;
		if (dyn.d_tag != tag)
			continue;
		s = elf_strptr(e->elf, shdr.sh_link, dyn.d_un.d_val);
		if (!s) {
			set_malformed(e, err, "dynamic string");
			return FALSE;
		}
		if (!fn(s, user))
			break;
	}
	return TRUE;
}

static gboolean collect_string(const char *s, gpointer user)
{
	g_ptr_array_add(user, g_strdup(s));
	return TRUE;
}

static gboolean keep_first(const char *s, gpointer user)
{
	*(gchar **)user = g_strdup(s);
	return FALSE;
}

gchar **ec_elf_needed(struct ec_elf *e, GError **err)
{
	GPtrArray *list = g_ptr_array_new_with_free_func(g_free);

	if (!foreach_dyn_string(e, DT_NEEDED, collect_string, list, err)) {
		g_ptr_array_free(list, TRUE);
		return NULL;
	}
	g_ptr_array_add(list, NULL);
	g_ptr_array_set_free_func(list, NULL);
	return (gchar **)g_ptr_array_free(list, FALSE);
}

gchar **ec_elf_runpath(struct ec_elf *e, GError **err)
{
	gchar *path = NULL;
	gchar **dirs;

	if (!foreach_dyn_string(e, DT_RUNPATH, keep_first, &path, err))
		return NULL;
	if (!path && !foreach_dyn_string(e, DT_RPATH, keep_first, &path, err))
		return NULL;
	dirs = g_strsplit(path ? path : "", ":", -1);
	g_free(path);
	return dirs;
}

gchar *ec_elf_soname(struct ec_elf *e, GError **err)
{
	gchar *soname = NULL;

	if (!foreach_dyn_string(e, DT_SONAME, keep_first, &soname, err))
		return NULL;
	if (!soname)
		g_set_error(err, EC_ELF_ERROR, EC_ELF_ERROR_NOT_FOUND, "%s: no DT_SONAME", e->path);
	return soname;
}

uint64_t ec_elf_vaddr_offset(Elf *elf, uint64_t vaddr, uint64_t len, uint32_t need_flags)
{
	size_t nphdr;

	if (elf_getphdrnum(elf, &nphdr) < 0)
		return UINT64_MAX;
	for (size_t i = 0; i < nphdr; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD ||
		    (ph.p_flags & need_flags) != need_flags || vaddr < ph.p_vaddr ||
		    vaddr - ph.p_vaddr >= ph.p_filesz || len > ph.p_filesz - (vaddr - ph.p_vaddr))
			continue;
		return vaddr - ph.p_vaddr + ph.p_offset;
	}
	return UINT64_MAX;
}

/* Whether dynamic symbol I is a hidden (non-default) version, as foo@OLD next to foo@@NEW. */
static gboolean hidden_version(Elf_Data *versym, size_t i)
{
	GElf_Versym v;

	return versym && gelf_getversym(versym, (int)i, &v) && (v & 0x8000);
}

gboolean ec_elf_find_symbol(struct ec_elf *e, const char *name, struct ec_elf_symbol *out,
                            GError **err)
{
	GElf_Shdr shdr, vshdr;
	Elf_Scn *scn = ec_elf_next_section(e->elf, NULL, SHT_DYNSYM, &shdr);
	Elf_Scn *vscn = ec_elf_next_section(e->elf, NULL, SHT_GNU_versym, &vshdr);
	Elf_Data *data, *versym = vscn ? elf_getdata(vscn, NULL) : NULL;
	GElf_Sym best = {0};
	gboolean found = FALSE;
	size_t n;

	if (!scn) {
		g_set_error(err, EC_ELF_ERROR, EC_ELF_ERROR_NOT_FOUND,
		            "%s: no dynamic symbol table", e->path);
		return FALSE;
	}
	data = elf_getdata(scn, NULL);
	if (!data || shdr.sh_entsize == 0) {
		set_malformed(e, err, "dynamic symbol table");
		return FALSE;
	}
	n = shdr.sh_size / shdr.sh_entsize;
	for (size_t i = 0; i < n; i++) {
		GElf_Sym sym;
		const char *s;

		if (!gelf_getsym(data, (int)i, &sym))
			break; /* sh_size larger than the data: stop at what exists */
		if (sym.st_shndx == SHN_UNDEF || sym.st_name == 0)
			continue;
		s = elf_strptr(e->elf, shdr.sh_link, sym.st_name);
		if (!s || strcmp(s, name) != 0)
			continue;
		/* the default version is what the dynamic linker binds; an old one only if alone */
		if (!found || !hidden_version(versym, i))
			best = sym;
		found = TRUE;
		if (!hidden_version(versym, i))
			break;
	}
	if (!found) {
		g_set_error(err, EC_ELF_ERROR, EC_ELF_ERROR_NOT_FOUND, "%s: does not define %s",
		            e->path, name);
		return FALSE;
	}
	if (out) {
		out->value = best.st_value;
		out->size = best.st_size;
		out->type = GELF_ST_TYPE(best.st_info);
		out->offset = best.st_shndx == SHN_ABS
		                  ? UINT64_MAX
		                  : ec_elf_vaddr_offset(e->elf, best.st_value, 0, 0);
	}
	return TRUE;
}

gchar **ec_elf_version_defs(struct ec_elf *e, GError **err)
{
	GPtrArray *list = g_ptr_array_new_with_free_func(g_free);
	GElf_Shdr shdr;
	Elf_Scn *scn = ec_elf_next_section(e->elf, NULL, SHT_GNU_verdef, &shdr);
	Elf_Data *data;
	size_t off = 0;

	data = scn ? elf_getdata(scn, NULL) : NULL;
	if (scn && !data) {
		set_malformed(e, err, "version definitions");
		g_ptr_array_free(list, TRUE);
		return NULL;
	}
	/* sh_info is the entry count; it also bounds a vd_next loop in a hostile file. */
	for (size_t i = 0; data && i < shdr.sh_info; i++) {
		GElf_Verdef vd;
		GElf_Verdaux vda;
		const char *s;

		if (!gelf_getverdef(data, (int)off, &vd) ||
		    !gelf_getverdaux(data, (int)(off + vd.vd_aux), &vda)) {
			set_malformed(e, err, "version definition");
			g_ptr_array_free(list, TRUE);
			return NULL;
		}
		s = elf_strptr(e->elf, shdr.sh_link, vda.vda_name);
		if (s && !(vd.vd_flags & VER_FLG_BASE))
			g_ptr_array_add(list, g_strdup(s));
		if (vd.vd_next == 0)
			break;
		off += vd.vd_next;
	}
	g_ptr_array_add(list, NULL);
	g_ptr_array_set_free_func(list, NULL);
	return (gchar **)g_ptr_array_free(list, FALSE);
}

static gboolean printable(guint8 c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t';
}

/* The printable NUL-terminated string at BUF[START], if RE matches it. */
static gchar *match_at(const guint8 *buf, size_t len, size_t start, GRegex *re)
{
	size_t i = start;

	if (start > 0 && printable(buf[start - 1]))
		return NULL; /* inside a longer string */
	while (i < len && printable(buf[i]))
		i++;
	if (i >= len || buf[i] != '\0' || i - start < MIN_STRING_LEN)
		return NULL;
	if (!g_regex_match_full(re, (const gchar *)buf + start, (gssize)(i - start), 0, 0, NULL,
	                        NULL))
		return NULL;
	return g_strndup((const gchar *)buf + start, i - start);
}

/*
 * The first printable string in BUF that RE matches. With LIT (the literal every match starts
 * with) only its occurrences are tried: node's 47 MB .rodata takes ms instead of a second.
 */
static gchar *match_strings(const guint8 *buf, size_t len, GRegex *re, const char *lit)
{
	size_t litlen = strlen(lit), i = 0;
	gchar *found = NULL;

	while (!found && i < len) {
		if (litlen > 0) {
			const guint8 *p = memmem(buf + i, len - i, lit, litlen);

			if (!p)
				break;
			i = (size_t)(p - buf);
			found = match_at(buf, len, i, re);
			i++;
			continue;
		}
		if (printable(buf[i]) && (i == 0 || !printable(buf[i - 1])))
			found = match_at(buf, len, i, re);
		i++;
	}
	return found;
}

/* The literal text a "^..." pattern starts with ("" if none, or if it has alternatives). */
static gchar *literal_prefix(const char *pattern)
{
	GString *lit = g_string_new(NULL);

	if (pattern[0] == '^' && !strchr(pattern, '|')) {
		for (const char *p = pattern + 1; *p && !strchr("\\.^$|?*+()[]{}", *p); p++)
			g_string_append_c(lit, *p);
		/* a quantifier after the last literal makes that one optional */
		if (lit->len > 0 && pattern[1 + lit->len] != '\0' &&
		    strchr("?*{", pattern[1 + lit->len]))
			g_string_truncate(lit, lit->len - 1);
	}
	return g_string_free(lit, FALSE);
}

gchar *ec_elf_find_rodata_string(struct ec_elf *e, const char *pattern, GError **err)
{
	static const char *const rodata[] = {".rodata", NULL};
	GRegex *re;
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;
	size_t shstrndx;
	gchar *found = NULL, *lit;

	re = g_regex_new(pattern, G_REGEX_RAW | G_REGEX_OPTIMIZE, 0, err);
	if (!re)
		return NULL;
	if (elf_getshdrstrndx(e->elf, &shstrndx) < 0) {
		set_malformed(e, err, "section name table");
		g_regex_unref(re);
		return NULL;
	}
	lit = literal_prefix(pattern);
	while (!found && (scn = ec_elf_next_named_section(e->elf, scn, rodata, true, &shdr))) {
		Elf_Data *data;

		if (shdr.sh_type != SHT_PROGBITS)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf)
			continue;
		found = match_strings(data->d_buf, data->d_size, re, lit);
	}
	g_free(lit);
	g_regex_unref(re);
	if (!found)
		g_set_error(err, EC_ELF_ERROR, EC_ELF_ERROR_NOT_FOUND,
		            "%s: no read-only string matches /%s/", e->path, pattern);
	return found;
}
