# crmsync: `make demo` runs the product end to end, `make test` runs every test.
# Both set up what they need: system packages (when run as root), a throwaway Postgres
# cluster under .local/ unless DATABASE_URL names a database, and an encryption key.
SHELL := /bin/bash
SWIFT ?= swift

.PHONY: all deps build demo test bench bench-scale bench-mail bench-mail-api bench-mail-scale db-start db-stop clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

demo: build
	@scripts/demo.sh

test: deps
	@scripts/test.sh

# The speed figures, from an optimized build, on the same database as the rest; crmsync-bench
# works in its own schema and a throwaway organization, and drops both when it ends.
bench: deps
	$(SWIFT) build -c release --product crmsync
	$(SWIFT) build -c release --product crmsync-bench
	@source scripts/env.sh && .build/release/crmsync migrate >/dev/null && .build/release/crmsync-bench $(BENCH_ARGS)

# The calendar at scale: the console's queries and the API's account list as a member against the
# superuser at 1,000,000 appointments in 1,000 organizations, then the API under load with wrk
# (APPOINTMENTS=N, ORGANIZATIONS=N, API_CONNECTIONS=N to change; 0 connections skips the load).
bench-scale: deps
	$(SWIFT) build -c release --product crmsync
	$(SWIFT) build -c release --product crmsync-bench
	@source scripts/env.sh && .build/release/crmsync migrate >/dev/null \
	  && .build/release/crmsync-bench --scale --appointments $${APPOINTMENTS:-1000000} \
	     --organizations $${ORGANIZATIONS:-1000} --api-connections $${API_CONNECTIONS:-32} $(BENCH_ARGS)

# The mail figures: a 10,000-message mailbox on the loopback Dovecot (MESSAGES=N to change).
bench-mail: deps
	$(SWIFT) build -c release --product crmsync
	$(SWIFT) build -c release --product crmsync-bench
	@source scripts/env.sh && eval "$$(scripts/mail-servers.sh start)" && .build/release/crmsync migrate >/dev/null \
	  && .build/release/crmsync-bench --mail --messages $${MESSAGES:-10000} $(BENCH_ARGS)

# The Gmail and Outlook mail figures: a 2,000-message mailbox of each in the in-process sandbox
# (MESSAGES=N to change).
bench-mail-api: deps
	$(SWIFT) build -c release --product crmsync
	$(SWIFT) build -c release --product crmsync-bench
	@source scripts/env.sh && .build/release/crmsync migrate >/dev/null \
	  && .build/release/crmsync-bench --mail-api --messages $${MESSAGES:-2000} $(BENCH_ARGS)

# Mail reads at scale: list, search and contact queries as a member against the superuser, at
# 1,000,000 messages in 1,000 organizations (MESSAGES=N, ORGANIZATIONS=N to change).
bench-mail-scale: deps
	$(SWIFT) build -c release --product crmsync
	$(SWIFT) build -c release --product crmsync-bench
	@source scripts/env.sh && .build/release/crmsync migrate >/dev/null \
	  && .build/release/crmsync-bench --mail-scale --messages $${MESSAGES:-1000000} \
	     --organizations $${ORGANIZATIONS:-1000} $(BENCH_ARGS)

db-start:
	@scripts/dev-db.sh start

db-stop:
	@scripts/dev-db.sh stop

clean: db-stop
	rm -rf .build .local
