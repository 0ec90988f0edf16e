#!/usr/bin/env sh
# Creates the secret files compose.yaml reads (./secrets/*), with random values, unless they
# exist. Keep them out of version control (./secrets is ignored).
set -eu
cd "$(dirname "$0")"
mkdir -p secrets
chmod 0700 secrets
rand() { head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n' | cut -c1-"$1"; }
write() { [ -s "secrets/$1" ] || { umask 077; printf '%s' "$2" >"secrets/$1"; echo "created secrets/$1"; }; }
write postgres-password "$(rand 32)"
write database-url "postgres://modelgate:$(cat secrets/postgres-password)@postgres:5432/modelgate"
# the format of modelgate's API keys: mg_<8-32 id chars>_<20+ secret chars>
write admin-key "mg_$(rand 12)_$(rand 43)"
write grafana-admin-password "$(rand 24)"
# the containers read the files as uid 1000 (modelgate) or their own users
chmod 0644 secrets/*
echo "admin API key: secrets/admin-key (export MODELGATE_API_KEY=\$(cat secrets/admin-key))"
