/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The GError domain of the capture engine. */
#ifndef EC_ERROR_H
#define EC_ERROR_H

#include <glib.h>

#define EC_ERROR ec_error_quark()

enum ec_error_code {
	EC_ERROR_FAILED,
	EC_ERROR_NOT_FOUND,
	EC_ERROR_PERMISSION,
	EC_ERROR_UNSUPPORTED,
	EC_ERROR_INVALID,
};

GQuark ec_error_quark(void);

#endif
