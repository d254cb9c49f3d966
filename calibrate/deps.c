// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE /* memfd_create */
#include "deps.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"

#define NEEDED_MAX 64

static const char *const system_dirs[] = {
#if defined(__x86_64__)
    "/lib/x86_64-linux-gnu",
    "/usr/lib/x86_64-linux-gnu",
#elif defined(__aarch64__)
    "/lib/aarch64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
#endif
    "/lib64",
    "/usr/lib64",
    "/lib",
    "/usr/lib",
    NULL};

/*
 * PATH opened for reading. "/proc/self/fd/N" is a descriptor our parent opened and left to us
 * (we may run without the rights to open the file again): a copy of it.
 */
static int open_path(const char *path)
{
	int n, used = 0;

	if (sscanf(path, "/proc/self/fd/%d%n", &n, &used) == 1 && path[used] == '\0' && n > 2)
		return fcntl(n, F_DUPFD_CLOEXEC, 3);
	return open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
}

/*
 * PATH copied into a memfd: inside the sandbox nothing outside can be opened, and the copy is
 * a snapshot (the file cannot change between loading and measuring). -1 with ERRNO set, or
 * errno 0 for a file that is not regular (EFBIG: truncated while read).
 */
static int copy_to_memfd(const char *path, off_t *size)
{
	struct stat st;
	int fd = open_path(path), mfd = -1, errsv;
	off_t off = 0;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto out;
	if (!S_ISREG(st.st_mode)) {
		errno = 0;
		goto out;
	}
	mfd = memfd_create("ecapture-calibrate-lib", MFD_CLOEXEC);
	while (mfd >= 0 && off < st.st_size) {
		ssize_t n = sendfile(mfd, fd, &off, (size_t)(st.st_size - off));

		if (n <= 0) {
			errno = n < 0 ? errno : EFBIG;
			errsv = errno;
			close(mfd);
			mfd = -1;
			errno = errsv;
		}
	}
	*size = st.st_size;
out:
	errsv = errno;
	close(fd);
	errno = errsv;
	return mfd;
}

/* The file offset of virtual address VADDR (+LEN) in a loadable segment, or 0 if none. */
static unsigned long vaddr_offset(const Elf64_Phdr *ph, int n, Elf64_Addr vaddr, unsigned long len,
                                  unsigned long file_len)
{
	for (int i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD || vaddr < ph[i].p_vaddr ||
		    vaddr - ph[i].p_vaddr > ph[i].p_filesz ||
		    len > ph[i].p_filesz - (vaddr - ph[i].p_vaddr))
			continue;
		if (ph[i].p_offset > file_len ||
		    vaddr - ph[i].p_vaddr > file_len - ph[i].p_offset ||
		    len > file_len - ph[i].p_offset - (vaddr - ph[i].p_vaddr))
			return 0;
		return ph[i].p_offset + (vaddr - ph[i].p_vaddr);
	}
	return 0;
}

/* The string at OFF of the string table STR[0..LEN), if it ends inside it and fits 256 bytes. */
static int table_string(const char *str, unsigned long len, Elf64_Xword off, char out[256])
{
	size_t n;

	if (off >= len)
		return -1;
	n = strnlen(str + off, len - off);
	if (n == len - off || n == 0 || n > 255)
		return -1;
	memcpy(out, str + off, n + 1);
	return 0;
}

int deps_elf_needed(const unsigned char *image, unsigned long len, char needed[][256], int max,
                    char soname[256], const char **why)
{
	const Elf64_Ehdr *eh = (const void *)image;
	const Elf64_Phdr *ph, *dyn_ph = NULL;
	const Elf64_Dyn *dyn;
	Elf64_Addr strtab = 0;
	Elf64_Xword strsz = 0;
	unsigned long ndyn, str_off;
	int n = 0;

	soname[0] = '\0';
	*why = "not a 64-bit ELF shared object";
	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_type != ET_DYN)
		return -1;
	*why = "malformed program headers";
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > len ||
	    eh->e_phnum > (len - eh->e_phoff) / sizeof(Elf64_Phdr) || eh->e_phoff % 8)
		return -1;
	ph = (const void *)(image + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_DYNAMIC)
			dyn_ph = &ph[i];
	if (!dyn_ph)
		return 0; /* needs nothing */
	*why = "malformed dynamic section";
	if (dyn_ph->p_offset > len || dyn_ph->p_filesz > len - dyn_ph->p_offset ||
	    dyn_ph->p_offset % 8)
		return -1;
	dyn = (const void *)(image + dyn_ph->p_offset);
	ndyn = dyn_ph->p_filesz / sizeof(*dyn);
	for (unsigned long i = 0; i < ndyn && dyn[i].d_tag != DT_NULL; i++) {
		if (dyn[i].d_tag == DT_STRTAB)
			strtab = dyn[i].d_un.d_ptr;
		else if (dyn[i].d_tag == DT_STRSZ)
			strsz = dyn[i].d_un.d_val;
	}
	str_off = vaddr_offset(ph, eh->e_phnum, strtab, strsz, len);
	if (!str_off || !strsz)
		return -1;
	*why = "malformed needed library name";
	for (unsigned long i = 0; i < ndyn && dyn[i].d_tag != DT_NULL; i++) {
		const char *str = (const char *)image + str_off;

		if (dyn[i].d_tag == DT_SONAME) {
			if (table_string(str, strsz, dyn[i].d_un.d_val, soname) < 0)
				return -1;
		} else if (dyn[i].d_tag == DT_NEEDED) {
			if (n >= max)
				return (*why = "too many needed libraries"), -1;
			if (table_string(str, strsz, dyn[i].d_un.d_val, needed[n]) < 0 ||
			    strchr(needed[n], '/'))
				return -1;
			n++;
		}
	}
	return n;
}

struct dep *deps_find(struct deps *d, const char *path)
{
	for (int i = 0; i < d->n; i++)
		if (strcmp(d->d[i].path, path) == 0)
			return &d->d[i];
	return NULL;
}

/* The sonames being added (each waits for its dependencies): a cycle ends at them. */
struct pending {
	const char *soname[17];
	int n;
};

static bool have_soname(const struct deps *d, const struct pending *p, const char *soname)
{
	void *h;

	for (int i = 0; i < d->n; i++)
		if (strcmp(d->d[i].soname, soname) == 0)
			return true;
	for (int i = 0; i < p->n; i++)
		if (strcmp(p->soname[i], soname) == 0)
			return true;
	/* one of the helper's own (the C library): only looked up, nothing is opened */
	h = dlopen(soname, RTLD_LAZY | RTLD_NOLOAD);
	if (h)
		dlclose(h);
	return h != NULL;
}

/* DIR/NAME if a regular file, into OUT. */
static bool found_in(const char *dir, const char *name, char *out, size_t len)
{
	struct stat st;
	int n = snprintf(out, len, "%s/%s", dir, name);

	return n > 0 && (size_t)n < len && stat(out, &st) == 0 && S_ISREG(st.st_mode);
}

static int search(const char *from, const char *name, char *out, size_t len)
{
	const char *env = getenv("ECAPTURE_LIBRARY_PATH");
	char dir[4096];
	const char *slash = strrchr(from, '/');

	if (slash && strncmp(from, "/proc/self/fd/", 14) != 0 &&
	    snprintf(dir, sizeof(dir), "%.*s", (int)(slash - from), from) < (int)sizeof(dir) &&
	    found_in(dir, name, out, len))
		return 0;
	if (env && *env) {
		for (const char *p = env; *p;) {
			size_t n = strcspn(p, ":");

			if (n < sizeof(dir)) {
				memcpy(dir, p, n);
				dir[n] = '\0';
				if (found_in(dir, name, out, len))
					return 0;
			}
			p += n + (p[n] == ':');
		}
		return -1;
	}
	for (int i = 0; system_dirs[i]; i++)
		if (found_in(system_dirs[i], name, out, len))
			return 0;
	return -1;
}

/* PATH appended to D after everything it needs (a post-order: dependencies load first). */
static int add(struct deps *d, struct pending *p, const char *path, bool global)
{
	char needed[NEEDED_MAX][256], soname[256], found[4096];
	struct dep *e;
	const char *why, *base = strrchr(path, '/');
	void *image;
	off_t size = 0;
	int fd, n, rc = -1;

	if (deps_find(d, path))
		return 0;
	if (p->n >= (int)(sizeof(p->soname) / sizeof(p->soname[0])) - 1) {
		report_fail("%s: libraries needed %d deep", path, p->n);
		return -1;
	}
	fd = copy_to_memfd(path, &size);
	if (fd < 0) {
		report_fail("cannot read %s: %s", path,
		            errno ? strerror(errno) : "not a regular file");
		return -1;
	}
	image = size > 0 ? mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
	if (image == MAP_FAILED) {
		report_fail("cannot map %s: %s", path, size ? strerror(errno) : "empty file");
		close(fd);
		return -1;
	}
	n = deps_elf_needed(image, (unsigned long)size, needed, NEEDED_MAX, soname, &why);
	munmap(image, (size_t)size);
	if (n < 0) {
		report_fail("%s: %s", path, why);
		goto out;
	}
	if (!soname[0])
		snprintf(soname, sizeof(soname), "%s", base ? base + 1 : path);
	p->soname[p->n++] = soname;
	for (int i = 0; i < n; i++) {
		if (have_soname(d, p, needed[i]))
			continue;
		if (search(path, needed[i], found, sizeof(found)) < 0) {
			report_fail("cannot find %s, needed by %s", needed[i], path);
			goto pop;
		}
		if (add(d, p, found, true) < 0)
			goto pop;
	}
	if (d->n >= DEPS_MAX) {
		report_fail("%s needs more than %d libraries", path, DEPS_MAX);
		goto pop;
	}
	e = &d->d[d->n++];
	e->fd = fd;
	fd = -1;
	e->global = global;
	e->handle = NULL;
	memcpy(e->soname, soname, sizeof(e->soname));
	snprintf(e->path, sizeof(e->path), "%s", path);
	rc = 0;
pop:
	p->n--;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

int deps_add(struct deps *d, const char *path, bool global)
{
	struct pending p = {.n = 0};

	return add(d, &p, path, global);
}

void deps_close(struct deps *d)
{
	for (int i = 0; i < d->n; i++)
		if (d->d[i].fd >= 0)
			close(d->d[i].fd);
	d->n = 0;
}
