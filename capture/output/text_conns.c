// SPDX-License-Identifier: GPL-2.0-or-later
/* The text output's per-connection state (see text_conns.h). */
#include "output/text_conns.h"

#include <string.h>

static void write_group(struct ec_text_conn *c, GByteArray *out)
{
	if (!c->group || !c->group->len)
		return;
	if (out)
		g_byte_array_append(out, (const uint8_t *)c->group->str, c->group->len);
	g_string_truncate(c->group, 0);
}

static void conn_end(struct ec_text_conn *c, GByteArray *out)
{
	write_group(c, out);
	if (c->group)
		g_string_free(c->group, TRUE);
	ec_h2_dir_free(c->h2[0]);
	ec_h2_dir_free(c->h2[1]);
	memset(c, 0, sizeof(*c));
}

/* Whether M's 5-tuple is C's, either way round; an unknown one matches. */
static bool same_tuple(const struct ec_text_conn *c, const struct ec_record_meta *m)
{
	if (!c->family || !m->family)
		return true;
	if (c->family != m->family)
		return false;
	if (c->port[0] == m->src_port && c->port[1] == m->dst_port &&
	    !memcmp(c->addr[0], m->src_addr, 16) && !memcmp(c->addr[1], m->dst_addr, 16))
		return true;
	return c->port[0] == m->dst_port && c->port[1] == m->src_port &&
	       !memcmp(c->addr[0], m->dst_addr, 16) && !memcmp(c->addr[1], m->src_addr, 16);
}

static void conn_start(struct ec_text_conns *t, struct ec_text_conn *c,
                       const struct ec_record_meta *m)
{
	c->used = true;
	c->pid = m->pid;
	c->conn_id = m->conn_id;
	c->family = m->family;
	memcpy(c->addr[0], m->src_addr, 16);
	memcpy(c->addr[1], m->dst_addr, 16);
	c->port[0] = m->src_port;
	c->port[1] = m->dst_port;
	/* Made once per connection, at its bound: appending a record never allocates. */
	if (t->group)
		c->group = g_string_sized_new(EC_TEXT_GROUP_MAX - 1); /* one block of the bound */
}

struct ec_text_conn *ec_text_conn_get(struct ec_text_conns *t, const struct ec_record_meta *m,
                                      GByteArray *out)
{
	struct ec_text_conn *c = NULL, *oldest = NULL;

	if (!m->conn_id)
		return NULL;
	for (size_t i = 0; i < EC_TEXT_CONNS_MAX; i++) {
		struct ec_text_conn *x = &t->c[i];

		if (x->used && x->pid == m->pid && x->conn_id == m->conn_id) {
			c = x;
			break;
		}
		if (!oldest || (oldest->used && (!x->used || x->last_use < oldest->last_use)))
			oldest = x;
	}
	if (c && !same_tuple(c, m)) {
		conn_end(c, out); /* the object carries another connection now */
		conn_start(t, c, m);
	} else if (!c) {
		c = oldest;
		if (c->used)
			conn_end(c, out);
		conn_start(t, c, m);
	}
	if (!c->family && m->family) {
		c->family = m->family;
		memcpy(c->addr[0], m->src_addr, 16);
		memcpy(c->addr[1], m->dst_addr, 16);
		c->port[0] = m->src_port;
		c->port[1] = m->dst_port;
	}
	c->last_use = ++t->clock;
	return c;
}

void ec_text_conn_put(struct ec_text_conns *t, struct ec_text_conn *c, const GString *text,
                      GByteArray *out)
{
	static const char cut[] = "--- (this connection's records go on further down: at most "
	                          "256 KiB of a connection are held together)\n";

	if (!t->group || !c || !c->group) {
		g_byte_array_append(out, (const uint8_t *)text->str, text->len);
		return;
	}
	if (c->group->len + text->len + sizeof(cut) > EC_TEXT_GROUP_MAX && c->group->len) {
		g_string_append(c->group, cut);
		write_group(c, out);
	}
	if (text->len + sizeof(cut) > EC_TEXT_GROUP_MAX) { /* never held: too big on its own */
		g_byte_array_append(out, (const uint8_t *)text->str, text->len);
		return;
	}
	g_string_append_len(c->group, text->str, (gssize)text->len);
}

void ec_text_conns_end_all(struct ec_text_conns *t, GByteArray *out)
{
	for (size_t i = 0; i < EC_TEXT_CONNS_MAX; i++)
		if (t->c[i].used)
			conn_end(&t->c[i], out);
}

void ec_text_conns_lost(struct ec_text_conns *t)
{
	for (size_t i = 0; i < EC_TEXT_CONNS_MAX; i++)
		for (int d = 0; d < 2; d++)
			if (t->c[i].h2[d])
				ec_h2_lost(t->c[i].h2[d]);
}
