/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Everything that crosses the kernel/user boundary: ring buffer events, map keys and values,
 * struct layouts handed to the probes. Included by the BPF programs (after vmlinux.h) and by
 * the userspace engine (after <linux/types.h>), so only fixed-width kernel types are used here.
 */
#ifndef ECAPTURE_H
#define ECAPTURE_H

#define EC_COMM_LEN       16
#define EC_RANDOM_LEN     32
#define EC_MASTER_KEY_LEN 48
#define EC_SECRET_LEN     64 /* EVP_MAX_MD_SIZE: room for any TLS 1.3 hash */

/*
 * Largest packet the TC program copies. GSO/GRO super-packets on loopback reach 64 KiB and
 * a little more; anything beyond is truncated (caplen < len in the EPB).
 */
#define EC_SNAPLEN (128u * 1024u)

/* Upper bound on libraries traced at once; the uprobe cookie indexes ec_ssl_layouts. */
#define EC_MAX_LIBS 64

/*
 * A candidate flow that sends this many packets without being claimed is dropped in-kernel. A
 * safety net only: userspace gives up on unclaimed flows after its hold time, and must have time
 * to claim a flow that bursts right after its handshake.
 */
#define EC_CANDIDATE_MAX_PKTS 2048

/*
 * A new connection whose first payload is not a TLS record may still start TLS after a
 * plaintext preamble (PostgreSQL's SSLRequest, MySQL's greeting and SSL request, STARTTLS). It
 * stays a candidate until a payload starts with a TLS handshake record, for at most this many
 * packets (from its SYN) and this many payload bytes of preamble; past either it is given up.
 */
#define EC_PREAMBLE_MAX_PKTS  48
#define EC_PREAMBLE_MAX_BYTES 4096

enum ec_event_type {
	EC_EV_PACKET = 1,    /* struct ec_packet_event */
	EC_EV_FLOW_GONE = 2, /* struct ec_flow_event: kernel gave up on a candidate flow */
	EC_EV_TLS_KEYS = 3,  /* struct ec_tls_keys_event */
	EC_EV_CONN = 4,      /* struct ec_conn_event: which process owns a connection's socket */
	EC_EV_TLS_DATA = 5,  /* struct ec_tls_data_event: plaintext through SSL_read/SSL_write */
	EC_EV_TLS_SECRET =
	    6,           /* struct ec_tls_secret_event: one key log line, as a library has it */
	EC_EV_AUDIT = 7, /* struct ec_audit_event: a shell command line or a database query */
	EC_EV_LIB_MAPPED = 8,  /* struct ec_lib_event: a TLS library mapped, not seen before */
	EC_EV_EXEC = 9,        /* struct ec_lib_event: a program not seen before starts */
	EC_EV_DATA_CALLS = 10, /* struct ec_data_calls_event: probe a process's data calls too */
	EC_EV_SOCK_OWNER = 11, /* struct ec_sock_owner_event: who sends and receives on a socket */
};

struct ec_event_hdr {
	__u32 type; /* enum ec_event_type */
	__u32 reserved;
	__u64 ts_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
};

/* The process an event was taken from. */
struct ec_proc {
	__u32 pid; /* tgid */
	__u32 tid;
	__u32 uid;
	__u32 gid;
	char comm[EC_COMM_LEN];
};

/*
 * A TCP connection, direction-independent: endpoint a is the lower (address, port) pair, so
 * both directions of a connection find the same map entry. Addresses are in network order;
 * IPv4 uses the first 4 bytes of addr_*.
 */
struct ec_flow_key {
	__u8 family; /* AF_INET (2) or AF_INET6 (10) */
	__u8 pad[3];
	__u16 port_a; /* network order */
	__u16 port_b;
	__u8 addr_a[16];
	__u8 addr_b[16];
};

enum ec_flow_state {
	EC_FLOW_CANDIDATE = 1, /* new TCP connection, not yet known to be traced: packets held */
	EC_FLOW_TRACED = 2,    /* belongs to a traced TLS session: packets written as they come */
	EC_FLOW_IGNORED = 3,   /* not ours: the TC program skips it */
};

#define EC_FLOWF_PAYLOAD_SEEN (1u << 0) /* the first payload byte has been inspected */
#define EC_FLOWF_PREAMBLE     (1u << 1) /* first payload not TLS: waiting for a ClientHello */

/* ec_flow_val.owner: more than one process was seen using that end's socket. */
#define EC_OWNER_SHARED 0xffffffffu

struct ec_flow_val {
	__u8 state; /* enum ec_flow_state */
	__u8 flags; /* EC_FLOWF_* */
	__u16 pkts; /* packets emitted while a candidate */
	__u32 lost; /* non-zero once a packet of this connection was lost (counted once) */
	__u32 preamble_bytes; /* payload bytes seen while EC_FLOWF_PREAMBLE */
	/*
	 * The process (tgid) seen sending or receiving on each local end's socket, [0] endpoint a:
	 * 0 none yet, EC_OWNER_SHARED more than one. A SYN that starts the flow clears it.
	 */
	__u32 owner[2];
};

enum ec_dir {
	EC_DIR_INGRESS = 1,
	EC_DIR_EGRESS = 2,
};

#define EC_PKTF_FROM_A (1u << 0) /* sender is endpoint a of the flow key */
#define EC_PKTF_SYN    (1u << 1) /* TCP SYN set */
#define EC_PKTF_FIN    (1u << 2) /* TCP FIN or RST set */
#define EC_PKTF_TRUNC  (1u << 3) /* caplen < len */

/* One packet seen by the TC program; data[] starts at the link-layer header. */
struct ec_packet_event {
	struct ec_event_hdr hdr;
	struct ec_flow_key flow;
	__u32 ifindex;
	__u32 len;         /* bytes on the wire (skb->len) */
	__u32 caplen;      /* bytes in data[] */
	__u16 payload_off; /* offset of the TCP payload in data[] */
	__u16 payload_len; /* TCP payload bytes (may exceed caplen - payload_off) */
	__u8 dir;          /* enum ec_dir */
	__u8 flow_state;   /* enum ec_flow_state when the packet was taken */
	__u8 flags;        /* EC_PKTF_* */
	__u8 pad;
	__u8 data[];
};

/* The kernel stopped following a candidate flow (not TLS, or too long unclaimed). */
/* Why the TC program gave a candidate flow up. */
enum ec_gone_reason {
	EC_GONE_NOT_TLS = 0,  /* its first payload was no TLS record, nor a known preamble */
	EC_GONE_CUT = 1,      /* EC_CANDIDATE_MAX_PKTS packets without being claimed */
	EC_GONE_PREAMBLE = 2, /* a plaintext preamble, and no ClientHello within its bound */
};

struct ec_flow_event {
	struct ec_event_hdr hdr;
	struct ec_flow_key flow;
	__u32 reason; /* enum ec_gone_reason */
	__u32 pad;
};

/*
 * A traced TLS session's socket, as seen from inside the process that uses it: sent once per
 * (process, SSL object, fd). Tells userspace who owns the local end of the connection.
 */
struct ec_conn_event {
	struct ec_event_hdr hdr;
	struct ec_proc proc;
	struct ec_flow_key flow;
	__u64 ssl;
	__s32 fd;
	__u8 local_is_a; /* the process's end is endpoint a of the flow key */
	__u8 source;     /* enum ec_record_source of capture/ec_record.h */
	__u16 pad;
};

/*
 * A process sends or receives on the socket of a followed flow's local end (FLOW, the end
 * LOCAL_IS_A): the first process seen doing so, or (SHARED) a second one, which makes the
 * end's owner ambiguous (a socket shared after fork, or passed to another process). Sent once
 * per end and change, whether the process passes the filters or not: a packet names the process
 * of the socket that sent it.
 */
struct ec_sock_owner_event {
	struct ec_event_hdr hdr;
	struct ec_proc proc;
	struct ec_flow_key flow;
	__s32 fd;        /* the fd the call used, -1 if not known */
	__u32 other_pid; /* SHARED: the process seen before (0 if unknown) */
	__u8 local_is_a;
	__u8 shared;
	__u16 pad;
};

/*
 * A process maps a file named like a TLS library (libssl*, libgnutls*, libnspr4*) as code, and
 * that file (device, inode) was not seen mapped before: it may be a library that appeared after
 * the capture started (a new program, a copy at a new path, a container's own). The same event,
 * as EC_EV_EXEC, says a process runs an executable file not seen before (it may carry its TLS
 * code inside: Go); name is then empty (the process's comm names the program).
 */
#define EC_LIB_NAME_LEN 32
struct ec_lib_event {
	struct ec_event_hdr hdr;
	struct ec_proc proc;
	char name[EC_LIB_NAME_LEN]; /* the file's name, NUL-terminated */
};

/*
 * Without plaintext, a library's data calls (SSL_read, SSL_write...) are not probed: keys come
 * from the handshake calls. A process that handshakes inside data calls says so (its socket
 * I/O after SSL_set_connect_state with no handshake call around it, or keys seen first at
 * SSL_get_error, SSL_shutdown or SSL_free): the engine then probes the entries of that
 * library's data calls in that process.
 */
struct ec_data_calls_event {
	struct ec_event_hdr hdr;
	struct ec_proc proc;
	__u32 lib_id; /* the target id from the probe's cookie */
	__u32 source; /* enum ec_record_source: which module */
};

/* Plaintext is copied in chunks of at most this many bytes, up to EC_DATA_MAX per call. */
#define EC_DATA_CHUNK      16384
#define EC_DATA_MAX_CHUNKS 16
#define EC_DATA_MAX        (EC_DATA_CHUNK * EC_DATA_MAX_CHUNKS)

#define EC_DATAF_TRUNCATED (1u << 0) /* the call moved more than EC_DATA_MAX bytes */

/* One chunk of what SSL_write sent or SSL_read returned. */
struct ec_tls_data_event {
	struct ec_event_hdr hdr;
	struct ec_proc proc;
	__u64 ssl;
	__s32 fd;    /* -1 until known */
	__u8 dir;    /* enum ec_record_dir: 0 sent, 1 received */
	__u8 source; /* enum ec_record_source */
	__u8 flags;  /* EC_DATAF_* */
	__u8 pad;
	__u32 total_len; /* bytes the call moved */
	__u32 offset;    /* of this chunk within them */
	__u32 len;       /* bytes in data[] */
	__u32 pad2;
	__u8 data[];
};

/*
 * One secret of a TLS session, for libraries that hold (or log) the final secrets themselves
 * (GnuTLS, Go's key log writer): userspace writes it as a key log line as it is. label is an
 * enum ec_kl_label of capture/keylog.h (0 CLIENT_RANDOM, 1 CLIENT_HANDSHAKE_TRAFFIC_SECRET,
 * 2 SERVER_HANDSHAKE_TRAFFIC_SECRET, 3 CLIENT_TRAFFIC_SECRET_0, 4 SERVER_TRAFFIC_SECRET_0,
 * 5 EXPORTER_SECRET).
 */
struct ec_tls_secret_event {
	struct ec_event_hdr hdr;
	struct ec_proc proc;
	__u64 conn_id; /* the library's session object, 0 if unknown */
	__u32 label;
	__u32 secret_len; /* bytes of secret[] that count */
	__u8 source;      /* enum ec_record_source */
	__u8 pad[7];
	__u8 client_random[EC_RANDOM_LEN];
	__u8 secret[EC_SECRET_LEN];
};

/* Shell lines and queries are copied whole up to this size; longer ones are marked truncated. */
#define EC_AUDIT_MAX        (32u * 1024u)
#define EC_STATUS_UNKNOWN   ((__s32)0x80000000)

#define EC_AUDITF_TRUNCATED (1u << 0) /* len > bytes in data[] */

/*
 * A record that is not network data: a command line a shell ran, a query a database server
 * executed. type and source are the ec_record.h enums (EC_RECORD_SHELL/EC_RECORD_SQL and
 * the shell or database). status: the command's exit status or the query's result (0 ok,
 * else the server's error), EC_STATUS_UNKNOWN when it cannot be known.
 */
struct ec_audit_event {
	struct ec_event_hdr hdr;
	struct ec_proc proc;
	__u8 type;    /* enum ec_record_type */
	__u8 source;  /* enum ec_record_source */
	__u8 subtype; /* e.g. EC_SQL_SIMPLE / EC_SQL_EXTENDED for SQL */
	__u8 flags;   /* EC_AUDITF_* */
	__s32 status;
	__u32 len;      /* the line's or query's real length */
	__u32 data_len; /* bytes in data[] */
	__u8 data[];
};

/*
 * Audit probes (bpf/shell.bpf.c, mysqld.bpf.c, postgres.bpf.c). The uprobe cookie is
 * EC_COOKIE(target id, kind): the target id indexes ec_audit_targets, the kind is one of these.
 */
enum ec_audit_fn_kind {
	EC_AFN_SHELL_PARSE = 1, /* bash parse_command(), zsh parse_event(): entry and return */
	EC_AFN_SHELL_LINE,      /* readline(): return; zsh zleentry(cmd, ...): entry and return */
	EC_AFN_SHELL_EXEC,      /* bash execute_command(), zsh execode(): entry and return */
	EC_AFN_SHELL_EXIT,      /* bash exit_shell(int), zsh zexit(int, ...): entry */
	EC_AFN_MYSQL_DISPATCH,  /* dispatch_command(): entry and return */
	EC_AFN_MYSQL_ERROR,     /* Diagnostics_area::set_error_status(uint sql_errno, ...): entry */
	EC_AFN_MYSQL_OK,        /* Diagnostics_area::set_ok_status(), set_eof_status(): entry */
	EC_AFN_PG_GETBYTE,      /* int pq_getbyte(void), the message type: return */
	EC_AFN_PG_ACTIVITY,     /* pgstat_report_activity(BackendState, const char *): entry */
	EC_AFN_PG_ERRSTART,     /* errstart(int elevel, ...), errstart_cold(): entry */
	EC_AFN_PG_ERRCODE,      /* errcode(int sqlerrcode): entry */
	EC_AFN_PG_ABORT,        /* AbortCurrentTransaction(void): entry */
	EC_AFN_PG_READY,        /* ReadyForQuery(CommandDest): entry */
	EC_AFN_MAX,
};

#define EC_AUDIT_MAX_TARGETS 64

/* How dispatch_command takes the query, told apart by its mangled name. */
enum ec_mysql_abi {
	EC_MYSQL_ABI_PACKET = 1, /* (enum_server_command, THD *, char *packet, uint length, ...):
	                            MariaDB, MySQL <= 5.6 */
	/* (THD *, const COM_DATA *, enum_server_command): MySQL 5.7, 8.x; COM_DATA's com_query is
	 * {const char *query; uint length} */
	EC_MYSQL_ABI_COM_DATA = 2,
};

#define EC_AUDIT_TGT_FAILED_ONLY (1u << 0) /* shells: only commands whose status is not 0 */

/* One traced program file, in ec_audit_targets[target id]; written before anything attaches. */
struct ec_audit_target {
	/* st_value of the function probed as each kind, in the file that has it; 0: none */
	__u64 fn_vaddr[EC_AFN_MAX];
	__u64 status_vaddr;   /* shells: st_value of the exit status variable ($?); 0: none */
	__u8 status_size;     /* its size in bytes: 4 or 8 */
	__u8 source;          /* enum ec_record_source */
	__u8 flags;           /* EC_AUDIT_TGT_* */
	__u8 mysql_abi;       /* enum ec_mysql_abi */
	__s32 pg_error_level; /* PostgreSQL: elevel of ERROR (20 up to 13, 21 from 14 on) */
};

/*
 * Raw TLS secret material read out of a live SSL object. Userspace turns it into key log lines
 * (deriving the TLS 1.3 handshake traffic secrets). Zero-filled fields were not available.
 */
struct ec_tls_keys_event {
	struct ec_event_hdr hdr;
	struct ec_proc proc;
	__u64 ssl;       /* SSL * in the traced process */
	__u32 lib_id;    /* index into ec_ssl_layouts */
	__u32 version;   /* protocol version, e.g. 0x0303, 0x0304 */
	__u32 cipher_id; /* SSL_CIPHER id, e.g. 0x03001302; 0 when unknown */
	__u32 pad;
	__u8 client_random[EC_RANDOM_LEN];
	__u8 master_key[EC_MASTER_KEY_LEN];            /* TLS <= 1.2 */
	__u8 handshake_secret[EC_SECRET_LEN];          /* TLS 1.3 */
	__u8 handshake_traffic_hash[EC_SECRET_LEN];    /* TLS 1.3 */
	__u8 client_app_traffic_secret[EC_SECRET_LEN]; /* TLS 1.3 */
	__u8 server_app_traffic_secret[EC_SECRET_LEN]; /* TLS 1.3 */
	__u8 exporter_master_secret[EC_SECRET_LEN];    /* TLS 1.3 */
};

/*
 * Where the fields live in one OpenSSL build, in bytes; -1 = this build has no such field.
 * Measured at run time by the calibration helper, never guessed.
 */
struct ec_ssl_layout {
	__s32 version;                   /* SSL: int version */
	__s32 client_random;             /* SSL: s3.client_random[32] (behind s3 when s3 >= 0) */
	__s32 session;                   /* SSL: SSL_SESSION *session */
	__s32 session_master_key;        /* SSL_SESSION: master_key[48] */
	__s32 session_cipher;            /* SSL_SESSION: const SSL_CIPHER *cipher */
	__s32 cipher_id;                 /* SSL_CIPHER: uint32_t id */
	__s32 handshake_secret;          /* SSL: handshake_secret[64] */
	__s32 handshake_traffic_hash;    /* SSL: handshake_traffic_hash[64] */
	__s32 client_app_traffic_secret; /* SSL: client_app_traffic_secret[64] */
	__s32 server_app_traffic_secret; /* SSL: server_app_traffic_secret[64] */
	__s32 exporter_master_secret;    /* SSL: exporter_master_secret[64] */
	__s32 rbio;                      /* SSL: BIO *rbio */
	__s32 wbio;                      /* SSL: BIO *wbio */
	__s32 bio_num;                   /* BIO: int num (the fd of a socket BIO) */
	__s32 s3;                        /* SSL: struct ssl3_state_st *s3 (1.1.1); -1: inline */
};

/*
 * Where GnuTLS keeps what the keys need, in bytes from the gnutls_session_t (or from the
 * structure a *_ptr field points to); measured by the calibration helper, never guessed
 * (capture/calibrate/gtls*.c). -1: not found.
 */
struct ec_gnutls_layout {
	__s32 client_random; /* uint8_t[32] */
	__s32 master_secret; /* uint8_t[48], TLS <= 1.2 */
	__s32 version_ptr;   /* pointer to the negotiated version's table entry */
	__s32 version_id;    /* in that entry: gnutls_protocol_t (GNUTLS_TLS1_3 = 5) */
	__s32 hash_ptr;      /* pointer to the PRF hash's table entry */
	__s32 hash_size;     /* in that entry: its output size in bytes (u32) */
	__s32 hs_ckey;       /* TLS 1.3 client handshake traffic secret */
	__s32 hs_skey;       /* ... server handshake traffic secret */
	__s32 ap_ckey;       /* ... client application traffic secret (first generation) */
	__s32 ap_skey;       /* ... server application traffic secret */
	__s32 ap_expkey;     /* ... exporter master secret; -1 if not found */
};

/* GnuTLS probe points (bpf/gnutls.bpf.c): the cookie's kind. */
enum ec_gnutls_fn_kind {
	EC_GNUTLS_HANDSHAKE = 1, /* int gnutls_handshake(gnutls_session_t) */
	EC_GNUTLS_SEND,          /* ssize_t gnutls_record_send2(session, data, size, pad, flags) */
	EC_GNUTLS_RECV,          /* ssize_t gnutls_record_recv(_seq)(session, data, size, ...) */
	EC_GNUTLS_DEINIT,        /* void gnutls_deinit(session): entry only */
};

/* NSPR probe points (bpf/nss.bpf.c): the cookie's kind. */
enum ec_nspr_fn_kind {
	EC_NSPR_WRITE = 1, /* PRInt32 PR_Write(PRFileDesc *, const void *, PRInt32) and PR_Send */
	EC_NSPR_READ,      /* PRInt32 PR_Read(PRFileDesc *, void *, PRInt32) and PR_Recv */
	EC_NSPR_CLOSE,     /* PRStatus PR_Close(PRFileDesc *): entry only */
};

/*
 * Per-CPU counters in ec_stats, summed by userspace for the loss report. Every event a program
 * meant to send and could not is counted under its kind.
 */
enum ec_stat {
	EC_STAT_PKT_EMITTED = 0,
	EC_STAT_PKT_DROPPED, /* ring buffer full: packet lost */
	EC_STAT_KEYS_EMITTED,
	EC_STAT_KEYS_DROPPED,   /* ring buffer full: key event lost */
	EC_STAT_KEYS_READ_FAIL, /* an SSL object could not be read */
	EC_STAT_FLOWS_TRACKED,  /* candidate flows created */
	EC_STAT_DATA_EMITTED,   /* plaintext chunks */
	EC_STAT_DATA_DROPPED,   /* ring buffer full: plaintext lost */
	EC_STAT_PKT_UNREADABLE, /* a followed packet could not be copied out of its skb */
	EC_STAT_FLOWS_LOST,     /* connections that lost at least one packet (each counted once) */
	EC_STAT_FLOW_MAP_FULL,  /* a new connection could not be followed: flow map update failed */
	EC_STAT_FLOWS_CUT,      /* TLS candidates given up unclaimed after EC_CANDIDATE_MAX_PKTS */
	EC_STAT_FLOW_EV_DROPPED, /* ring buffer full: a flow's give-up notice lost */
	EC_STAT_CONN_DROPPED,    /* ring buffer full: a connection's owner event lost */
	EC_STAT_LIB_DROPPED,     /* ring buffer full: a new library or program event lost */
	EC_STAT_AUDIT_EMITTED,   /* shell commands and queries */
	EC_STAT_AUDIT_DROPPED,   /* ring buffer full: a command or query lost */
	EC_STAT_DATA_ARGS_LOST,  /* a data call forgotten in progress (LRU): its plaintext lost */
	EC_STAT_OWNER_DROPPED,   /* ring buffer full: a socket's owner event lost */
	EC_STAT_MAX,
};

/* Per interface (ec_if_counts, per CPU): packets of followed connections the TC program took. */
struct ec_if_count {
	__u64 seen; /* sent to the ring buffer or lost on the way */
	__u64 lost; /* ring buffer full, or not copyable */
};

/*
 * What a probed TLS library function is, for the probes' dispatch. The uprobe cookie is
 * EC_COOKIE(lib_id, kind): one entry and one return program serve every function, so a library
 * needs two uprobe_multi links, whose removal costs one RCU grace period each.
 */
enum ec_fn_kind {
	EC_FN_HANDSHAKE = 1, /* SSL_do_handshake, SSL_connect, SSL_accept (SSL *) */
	EC_FN_READ,          /* int SSL_read(SSL *, void *buf, int num) */
	EC_FN_WRITE,         /* int SSL_write(SSL *, const void *buf, int num) */
	EC_FN_READ_EX,       /* int SSL_read_ex(SSL *, void *buf, size_t num, size_t *readbytes) */
	EC_FN_WRITE_EX, /* int SSL_write_ex(SSL *, const void *, size_t num, size_t *written) */
	EC_FN_NEW,      /* SSL *SSL_new(SSL_CTX *): return only */
	EC_FN_CLEAR,    /* int SSL_clear(SSL *): entry only */
	/*
	 * int SSL_get_error(const SSL *, int): entry only. A BIO_f_ssl BIO (BIO_new_ssl*, openssl
	 * s_server -www) does its I/O through internal functions and calls this after each one:
	 * the only exported function such a connection is sure to reach after its handshake.
	 * Without plaintext it is probed, like the data calls, only in the processes that ask. Also
	 * the entries of SSL_shutdown and SSL_free: the last chances to read the keys of a
	 * handshake done inside a data call, when the data calls are not probed.
	 */
	EC_FN_AFTER_IO,
	/*
	 * void SSL_set_connect_state(SSL *), SSL_set_accept_state(SSL *): entry only. A handshake
	 * inside SSL_read/SSL_write needs one of them first. When the data calls are not probed,
	 * the thread's next socket syscall outside a handshake call says that is what happens.
	 */
	EC_FN_SET_STATE,
	/* BIO_METHOD *BIO_f_ssl(void): entry only. The process is about to do its TLS I/O through
	 * a BIO_f_ssl BIO, which only SSL_get_error sees (EC_FN_AFTER_IO). */
	EC_FN_BIO_SSL,
};

/*
 * Go crypto/tls probe points (bpf/go_tls.bpf.c), all plain uprobes: Go code never gets a
 * uretprobe, its returns are probed at each RET instruction. The cookie's kind is one of these,
 * plus EC_GO_STACK_ABI for programs built with Go < 1.17 (arguments on the stack).
 */
enum ec_go_fn_kind {
	EC_GO_KEYLOG = 1, /* (*Config).writeKeyLog(label string, clientRandom, secret []byte) */
	EC_GO_WRITE,      /* (*Conn).writeRecordLocked(typ recordType, data []byte) entry */
	EC_GO_WRITE_RET,  /* ... its RET instructions */
	EC_GO_READ,       /* (*Conn).Read(b []byte) (int, error) entry */
	EC_GO_READ_RET,   /* ... its RET instructions */
};

#define EC_GO_STACK_ABI         0x100u
#define EC_GO_KIND_MASK         0xffu

#define EC_COOKIE(lib_id, kind) (((__u64)(kind) << 32) | (__u32)(lib_id))
#define EC_COOKIE_LIB(c)        ((__u32)(c))
#define EC_COOKIE_KIND(c)       ((__u32)((c) >> 32))

/*
 * A TLS library call in progress on a thread (ec_tls_calls, shared): the read/write syscalls it
 * makes tell which socket its connection uses (see bpf/tls_conn.bpf.h).
 */
/*
 * A mark (depth 0) left by SSL_set_connect/accept_state: a socket syscall under it, outside any
 * handshake call, is a handshake inside a data call (ec_data_calls_event).
 */
#define EC_CALLF_WATCH_HANDSHAKE 0x1

struct ec_tls_call {
	__u64 conn_id; /* the library's connection object (SSL *, gnutls_session_t, ...) */
	__u32 lib_id;
	__u16 depth; /* nested calls of the same connection */
	__u8 source; /* enum ec_record_source */
	__u8 flags;  /* EC_CALLF_* */
	/*
	 * Go: the goroutine (its g, register R14 under the register ABI) that made the call, 0
	 * otherwise. Go runs many goroutines on one thread: a syscall on this thread by another
	 * goroutine says nothing about this call's socket.
	 */
	__u64 g;
};

/* Processes the PID filter (ec_filter_pids) holds, at most: distinct ones, after duplicates go. */
#define EC_PID_FILTER_MAX 1024

/* Global settings of one capture, in the ec_config array (key 0). */
struct ec_config {
	__u32 filter_pids; /* 1: only pids present in ec_filter_pids */
	__u32 filter_uid;  /* 1: only uid == uid */
	__u32 uid;
	__u32 capture_data; /* 1: send plaintext (ec_tls_data_event) */
};

#endif /* ECAPTURE_H */
