// SPDX-License-Identifier: GPL-2.0-or-later
#include "targets/netif.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_arp.h>

#include "ecapture/linktype.h"

/* ARPHRD_* of an interface, from sysfs (-1 if unreadable). */
static int read_arphrd(const char *name)
{
	char path[128], buf[32];
	FILE *f;
	int type = -1;

	snprintf(path, sizeof(path), "/sys/class/net/%s/type", name);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		type = atoi(buf);
	fclose(f);
	return type;
}

static void classify(struct ec_netif *n)
{
	switch (n->arphrd) {
	case ARPHRD_ETHER:
	case ARPHRD_LOOPBACK: /* TC sees a zeroed Ethernet header on lo */
		n->supported = true;
		n->linktype = EC_LINKTYPE_ETHERNET;
		n->l2_len = 14;
		break;
	case ARPHRD_NONE: /* tun, wireguard: packets start at the IP header */
	case ARPHRD_IPGRE:
	case ARPHRD_TUNNEL:
	case ARPHRD_TUNNEL6:
		n->supported = true;
		n->linktype = EC_LINKTYPE_RAW;
		n->l2_len = 0;
		break;
	default:
		n->supported = false;
	}
}

GArray *ec_netif_list(GError **err)
{
	struct if_nameindex *names = if_nameindex();
	GArray *list;
	int sock;

	if (!names) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
		            "cannot list network interfaces: %s", g_strerror(errno));
		return NULL;
	}
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	list = g_array_new(FALSE, TRUE, sizeof(struct ec_netif));
	for (struct if_nameindex *p = names; p->if_index; p++) {
		struct ec_netif n = {.ifindex = p->if_index};
		struct ifreq ifr = {0};

		g_strlcpy(n.name, p->if_name, sizeof(n.name));
		g_strlcpy(ifr.ifr_name, p->if_name, sizeof(ifr.ifr_name));
		if (sock >= 0 && ioctl(sock, SIOCGIFFLAGS, &ifr) == 0) {
			n.up = ifr.ifr_flags & IFF_UP;
			n.loopback = ifr.ifr_flags & IFF_LOOPBACK;
		}
		n.arphrd = read_arphrd(p->if_name);
		classify(&n);
		g_array_append_val(list, n);
	}
	if (sock >= 0)
		close(sock);
	if_freenameindex(names);
	return list;
}

const struct ec_netif *ec_netif_find(GArray *list, const char *name)
{
	for (guint i = 0; i < list->len; i++) {
		const struct ec_netif *n = &g_array_index(list, struct ec_netif, i);

		if (strcmp(n->name, name) == 0)
			return n;
	}
	return NULL;
}
