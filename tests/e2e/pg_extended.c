// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A libpq client that sends each query through the extended protocol, as PQexecParams does
 * (Parse, Bind, Describe, Execute, Sync), with "7" for $1. Built by the PostgreSQL e2e test.
 *
 * usage: pg_extended CONNINFO QUERY...   prints the backend's pid, then one status per query
 */
#include <stdio.h>
#include <libpq-fe.h>

int main(int argc, char **argv)
{
	const char *const values[1] = {"7"};
	PGconn *conn;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CONNINFO QUERY...\n", argv[0]);
		return 2;
	}
	conn = PQconnectdb(argv[1]);
	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "%s", PQerrorMessage(conn));
		PQfinish(conn);
		return 1;
	}
	printf("%d\n", PQbackendPID(conn));
	for (int i = 2; i < argc; i++) {
		PGresult *r = PQexecParams(conn, argv[i], 1, NULL, values, NULL, NULL, 0);

		printf("%s\n", PQresStatus(PQresultStatus(r)));
		PQclear(r);
	}
	PQfinish(conn);
	return 0;
}
