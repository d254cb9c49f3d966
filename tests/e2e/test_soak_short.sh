#!/usr/bin/env bash
# The soak (tests/soak/soak.sh) for 30 seconds: ab at full rate over new TLS connections while
# ecapturedump captures; every request is decrypted, or the loss is reported.
exec bash "$(dirname "$0")/../soak/soak.sh" 30
