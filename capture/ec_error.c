// SPDX-License-Identifier: GPL-2.0-or-later
#include "ec_error.h"

G_DEFINE_QUARK(ecapture-error-quark, ec_error);
