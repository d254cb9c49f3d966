// SPDX-License-Identifier: GPL-2.0-or-later
#include "targets/proc_root.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINKS 40 /* as the kernel's ELOOP limit */

gchar *ec_root_prefix(const char *path)
{
	const char *p;

	if (!g_str_has_prefix(path, "/proc/"))
		return g_strdup("");
	p = path + strlen("/proc/");
	if (g_str_has_prefix(p, "self"))
		p += strlen("self");
	else if (g_ascii_isdigit(*p))
		while (g_ascii_isdigit(*p))
			p++;
	else
		return g_strdup("");
	if (!g_str_has_prefix(p, "/root") || (p[5] != '/' && p[5] != '\0'))
		return g_strdup("");
	return g_strndup(path, (gsize)(p + 5 - path));
}

/* Pushes the components of PATH in front of the TODO queue, keeping their order. */
static void push_front(GQueue *todo, const char *path)
{
	gchar **parts = g_strsplit(path, "/", -1);
	guint n = g_strv_length(parts);

	for (guint i = n; i > 0; i--) {
		if (parts[i - 1][0] != '\0' && strcmp(parts[i - 1], ".") != 0)
			g_queue_push_head(todo, g_strdup(parts[i - 1]));
	}
	g_strfreev(parts);
}

static gchar *join(const char *prefix, GPtrArray *out, const char *last)
{
	GString *s = g_string_new(prefix);

	for (guint i = 0; i < out->len; i++)
		g_string_append_printf(s, "/%s", (const char *)out->pdata[i]);
	if (last)
		g_string_append_printf(s, "/%s", last);
	if (s->len == strlen(prefix))
		g_string_append_c(s, '/');
	return g_string_free(s, FALSE);
}

gchar *ec_resolve_in_root(const char *prefix, const char *path_in_root, GError **err)
{
	GQueue todo = G_QUEUE_INIT;
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	gchar *result = NULL, *c;
	int links = 0;

	push_front(&todo, path_in_root);
	while ((c = g_queue_pop_head(&todo))) {
		struct stat st;
		gchar *cand, *target;

		if (strcmp(c, "..") == 0) {
			if (out->len > 0) /* never above the root, as the kernel */
				g_ptr_array_remove_index(out, out->len - 1);
			g_free(c);
			continue;
		}
		cand = join(prefix, out, c);
		if (lstat(cand, &st) < 0) {
			int errsv = errno;

			g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errsv), "%s: %s",
			            cand, g_strerror(errsv));
			g_free(cand);
			g_free(c);
			goto out;
		}
		if (!S_ISLNK(st.st_mode)) {
			g_ptr_array_add(out, c);
			g_free(cand);
			continue;
		}
		target = ++links <= MAX_LINKS ? g_file_read_link(cand, err) : NULL;
		if (!target) {
			if (links > MAX_LINKS)
				g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_LOOP,
				            "%s: too many levels of symbolic links", cand);
			g_free(cand);
			g_free(c);
			goto out;
		}
		if (target[0] == '/')
			g_ptr_array_set_size(out, 0);
		push_front(&todo, target);
		g_free(target);
		g_free(cand);
		g_free(c);
	}
	result = join(prefix, out, NULL);
out:
	g_queue_clear_full(&todo, g_free);
	g_ptr_array_free(out, TRUE);
	return result;
}
