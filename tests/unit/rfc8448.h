/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RFC 8448 section 3, "Simple 1-RTT Handshake" (TLS_AES_128_GCM_SHA256, X25519): the wire records
 * and the published key schedule values, as hex. Checked against each other: SHA-256 of the
 * ClientHello and ServerHello messages is RFC8448_HELLO_HASH, and the handshake secret chain
 * (early secret, "derived", X25519 output) gives RFC8448_HANDSHAKE_SECRET.
 */
#ifndef TEST_RFC8448_H
#define TEST_RFC8448_H

#include <stdint.h>
#include <string.h>
#include <glib.h>

/* ClientHello.random; the key log lines are indexed by it. */
#define RFC8448_CLIENT_RANDOM    "cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7"

#define RFC8448_HANDSHAKE_SECRET "1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac"
/* Transcript-Hash(ClientHello, ServerHello) */
#define RFC8448_HELLO_HASH   "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8"
#define RFC8448_C_HS_TRAFFIC "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21"
#define RFC8448_S_HS_TRAFFIC "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38"
#define RFC8448_C_AP_TRAFFIC "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5"
#define RFC8448_S_AP_TRAFFIC "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643"
#define RFC8448_EXP_MASTER   "fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50"

/* Traffic keys and IVs ("key"/"iv" labels, empty context) of the four traffic secrets above. */
#define RFC8448_S_HS_KEY "3fce516009c21727d0f2e4e86ee403bc"
#define RFC8448_S_HS_IV  "5d313eb2671276ee13000b30"
#define RFC8448_C_HS_KEY "dbfaa693d1762c5b666af5d950258d01"
#define RFC8448_C_HS_IV  "5bd3c71b836e0b76bb73265f"
#define RFC8448_S_AP_KEY "9f02283b6c9c07efc26bb9f2ac92e356"
#define RFC8448_S_AP_IV  "cf782b88dd83549aadf1e984"
#define RFC8448_C_AP_KEY "17422dda596ed5d9acd890e3c63f5051"
#define RFC8448_C_AP_IV  "5b78923dee08579033e523d9"

/* The key log a capture of this session needs, in NSS format. */
#define RFC8448_KEYLOG                                                                             \
	"CLIENT_HANDSHAKE_TRAFFIC_SECRET " RFC8448_CLIENT_RANDOM " " RFC8448_C_HS_TRAFFIC "\n"     \
	"SERVER_HANDSHAKE_TRAFFIC_SECRET " RFC8448_CLIENT_RANDOM " " RFC8448_S_HS_TRAFFIC "\n"     \
	"CLIENT_TRAFFIC_SECRET_0 " RFC8448_CLIENT_RANDOM " " RFC8448_C_AP_TRAFFIC "\n"             \
	"SERVER_TRAFFIC_SECRET_0 " RFC8448_CLIENT_RANDOM " " RFC8448_S_AP_TRAFFIC "\n"             \
	"EXPORTER_SECRET " RFC8448_CLIENT_RANDOM " " RFC8448_EXP_MASTER "\n"

/*
 * The records in wire order: ClientHello (client), ServerHello and the server's protected flight
 * (EncryptedExtensions..Finished), client Finished, NewSessionTicket (server), then 50 bytes
 * 00..31 of application data each way.
 */
#define RFC8448_RECORD_CLIENT_HELLO                                                                \
	"16030100c4010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef628302"         \
	"4dece7000006130113031302010000910000000b0009000006736572766572ff01000100000a0014"         \
	"0012001d0017001800190100010101020103010400230000003300260024001d002099381de560e4"         \
	"bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c002b0003020304000d0020001e04"         \
	"0305030603020308040805080604010501060102010402050206020202002d00020101001c000240"         \
	"01"
#define RFC8448_RECORD_SERVER_HELLO                                                                \
	"160303005a020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3"         \
	"e2692800130100002e00330024001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833d"         \
	"f1dd69b1b04e751f0f002b00020304"
#define RFC8448_RECORD_SERVER_FLIGHT                                                               \
	"17030302a2d1ff334a56f5bff6594a07cc87b580233f500f45e489e7f33af35edf7869fcf40aa40a"         \
	"a2b8ea73f848a7ca07612ef9f945cb960b4068905123ea78b111b429ba9191cd05d2a389280f5261"         \
	"34aadc7fc78c4b729df828b5ecf7b13bd9aefb0e57f271585b8ea9bb355c7c79020716cfb9b1183e"         \
	"f3ab20e37d57a6b9d7477609aee6e122a4cf51427325250c7d0e509289444c9b3a648f1d71035d2e"         \
	"d65b0e3cdd0cbae8bf2d0b227812cbb360987255cc744110c453baa4fcd610928d809810e4b7ed1a"         \
	"8fd991f06aa6248204797e36a6a73b70a2559c09ead686945ba246ab66e5edd8044b4c6de3fcf2a8"         \
	"9441ac66272fd8fb330ef8190579b3684596c960bd596eea520a56a8d650f563aad27409960dca63"         \
	"d3e688611ea5e22f4415cf9538d51a200c27034272968a264ed6540c84838d89f72c24461aad6d26"         \
	"f59ecaba9acbbb317b66d902f4f292a36ac1b639c637ce343117b659622245317b49eeda0c6258f1"         \
	"00d7d961ffb138647e92ea330faeea6dfa31c7a84dc3bd7e1b7a6c7178af36879018e3f252107f24"         \
	"3d243dc7339d5684c8b0378bf30244da8c87c843f5e56eb4c5e8280a2b48052cf93b16499a66db7c"         \
	"ca71e4599426f7d461e66f99882bd89fc50800becca62d6c74116dbd2972fda1fa80f85df881edbe"         \
	"5a37668936b335583b599186dc5c6918a396fa48a181d6b6fa4f9d62d513afbb992f2b992f67f8af"         \
	"e67f76913fa388cb5630c8ca01e0c65d11c66a1e2ac4c85977b7c7a6999bbf10dc35ae69f5515614"         \
	"636c0b9b68c19ed2e31c0b3b66763038ebba42f3b38edc0399f3a9f23faa63978c317fc9fa66a73f"         \
	"60f0504de93b5b845e275592c12335ee340bbc4fddd502784016e4b3be7ef04dda49f4b440a30cb5"         \
	"d2af939828fd4ae3794e44f94df5a631ede42c1719bfdabf0253fe5175be898e750edc53370d2b"
#define RFC8448_RECORD_CLIENT_FINISHED                                                             \
	"170303003575ec4dc238cce60b298044a71e219c56cc77b0517fe9b93c7a4bfc44d87f38f80338ac"         \
	"98fc46deb384bd1caeacab6867d726c40546"
#define RFC8448_RECORD_TICKET                                                                      \
	"17030300de3a6b8f90414a97d6959c3487680de5134a2b240e6cffac116e95d41d6af8f6b580dcf3"         \
	"d11d63c758db289a015940252f55713e061dc13e078891a38efbcf5753ad8ef170ad3c7353d16d9d"         \
	"a773b9ca7f2b9fa1b6c0d4a3d03f75e09c30ba1e62972ac46f75f7b981be63439b2999ce13064615"         \
	"139891d5e4c5b406f16e3fc181a77ca475840025db2f0a77f81b5ab05b94c01346755f69232c8651"         \
	"9d86cbeeac87aac347d143f9605d64f650db4d023e70e952ca49fe5137121c74bc2697687e248746"         \
	"d6df353005f3bce18696129c8153556b3b6c6779b37bf15985684f"
#define RFC8448_RECORD_CLIENT_DATA                                                                 \
	"1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66bcab3f2b9819a8a5b46b39"         \
	"5bd54a9a20441e2b62974e1f5a6292a2977014bd1e3deae63aeebb21694915e4"
#define RFC8448_RECORD_SERVER_DATA                                                                 \
	"17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82aa1b36e30efaf97d90e6df"         \
	"fc602dcb501a59a8fcc49c4bf2e5f0a21c0047c2abf332540dd032e167c2955d"

/* The 50 application bytes both sides send. */
#define RFC8448_APP_DATA                                                                           \
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b" \
	"2c2d2e2f"                                                                                 \
	"3031"

/* Decode HEX into a new GByteArray; aborts the test on a bad digit. */
static inline GByteArray *rfc8448_bytes(const char *hex)
{
	GByteArray *b = g_byte_array_new();
	size_t n = strlen(hex);

	g_assert_cmpuint(n % 2, ==, 0);
	for (size_t i = 0; i < n; i += 2) {
		int hi = g_ascii_xdigit_value(hex[i]), lo = g_ascii_xdigit_value(hex[i + 1]);
		uint8_t v;

		g_assert_cmpint(hi, >=, 0);
		g_assert_cmpint(lo, >=, 0);
		v = (uint8_t)(hi << 4 | lo);
		g_byte_array_append(b, &v, 1);
	}
	return b;
}

/* Decode HEX into exactly LEN bytes at OUT. */
static inline void rfc8448_fill(const char *hex, uint8_t *out, size_t len)
{
	GByteArray *b = rfc8448_bytes(hex);

	g_assert_cmpuint(b->len, ==, len);
	memcpy(out, b->data, len);
	g_byte_array_unref(b);
}

#endif
