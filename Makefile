# The two commands of the README: `make run` and `make test`. Both do the whole set-up first
# (Debian packages, models, build) and are idempotent.
SHELL := /bin/bash
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
JOBS ?= 2
PYTHON := /usr/bin/python3
CONFIG ?= config/example.yaml

.PHONY: run test setup deps models build backend-choice web asan format format-check test-models clean

# The server on :8000 with SQLite (factoryai.db) and the dashboard; Ctrl-C stops it cleanly.
run: setup
	$(BUILD_DIR)/factoryai --config $(CONFIG) --log-level info serve

test: setup asan
	tools/test/run-all.sh $(BUILD_DIR) $(ASAN_DIR)

setup: deps models build backend-choice web

# Backend::kAuto uses, per model, the backend `factoryai bench` measured faster on this machine.
backend-choice: models build
	@test -f models/backend-choice.json || $(BUILD_DIR)/factoryai bench --runs 10

deps:
	tools/setup/install-deps.sh

# The dashboard (web/, Angular): `npm ci` only when the lock file changed, the build only when a
# source is newer than web/dist. The npm cache stays in the ignored .cache/npm.
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/angular.json \
               web/tsconfig.json web/tsconfig.app.json web/node_modules/.package-lock.json
web: web/dist/browser/index.html

web/node_modules/.package-lock.json: web/package.json web/package-lock.json | deps
	cd web && npm ci --cache ../.cache/npm --prefer-offline --no-audit --no-fund

web/dist/browser/index.html: $(WEB_SOURCES)
	cd web && npm run build
	touch $@

models: deps
	$(PYTHON) tools/models/build.py

build: deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build $(BUILD_DIR) -j$(JOBS)

# Unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer (no libtorch, no apps).
asan: deps
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DFAI_SANITIZE=ON \
	  -DFAI_WITH_TORCH=OFF -DFAI_BUILD_APPS=OFF >/dev/null
	cmake --build $(ASAN_DIR) -j$(JOBS)

format:
	git ls-files -z '*.cpp' '*.h' | xargs -0 clang-format -i

format-check:
	git ls-files -z '*.cpp' '*.h' | xargs -0 clang-format --dry-run -Werror

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
