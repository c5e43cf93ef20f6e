# Open12348 — the two commands: `make run` (serve the demo) and `make test` (what CI runs).
# Every target is self-documented by its `##` comment: `make help` lists them.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
TEST_SETTINGS := DJANGO_SETTINGS_MODULE=config.test_settings
PYTEST_WORKERS ?= 2

.PHONY: help run push test lint check test-postgres worker bench clean venv venv-dev env browser

help: ## 列出所有命令 / list the targets
	@echo "Open12348 — make <target>"
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  %-15s %s\n", $$1, $$2}'

run: venv env ## 迁移、载入演示数据并用 gunicorn 启动（PORT 默认 8000）/ migrate, seed, serve with gunicorn
	$(MANAGE) migrate --noinput
	$(MANAGE) syncroles
	$(MANAGE) loadreference
	$(MANAGE) loadcalendar
	$(MANAGE) seeddemo
	$(MANAGE) importlaws --if-present
	$(MANAGE) trainassist --if-present
	$(MANAGE) collectstatic --noinput --verbosity 0
	@echo "==> Open12348: http://127.0.0.1:$${PORT:-8000}/  (Ctrl-C 停止 / to stop)"
	@# Two servers: the site (sync workers) and the push server of hall displays (asyncio worker).
	@# When either stops, or on Ctrl-C, both are stopped (by their PIDs) and waited for.
	@$(VENV)/bin/gunicorn --config config/gunicorn_push.conf.py & push=$$!; \
	$(VENV)/bin/gunicorn --config config/gunicorn.conf.py & web=$$!; \
	trap 'kill -TERM $$push $$web 2>/dev/null || true; wait $$push $$web 2>/dev/null || true' EXIT INT TERM; \
	wait -n $$push $$web

push: venv env ## 只启动大厅显示屏推送服务（PUSH_PORT 默认 PORT+1）/ serve only the push server of hall displays
	exec $(VENV)/bin/gunicorn --config config/gunicorn_push.conf.py

test: venv-dev browser lint ## 全部检查与测试（CI 运行此命令）/ lint, checks, migrations check, pytest
	$(TEST_SETTINGS) $(MANAGE) check
	$(TEST_SETTINGS) $(MANAGE) makemigrations --check --dry-run
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS)

test-postgres: venv-dev ## 在临时 PostgreSQL 集群上运行测试 / run pytest on a throwaway PostgreSQL cluster
	scripts/test-postgres.sh -n $(PYTEST_WORKERS)

lint: venv-dev ## ruff 检查与格式检查 / ruff check + ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: venv ## Django 检查，含生产配置下的 --deploy / manage.py check, check --deploy, makemigrations --check
	$(MANAGE) check
	scripts/check-deploy.sh
	$(MANAGE) makemigrations --check --dry-run

worker: venv env ## 运行后台任务进程 / run the background task worker (django-tasks-db)
	@$(MANAGE) migrate --check >/dev/null 2>&1 || { \
		echo "数据库尚未迁移，请先运行 make run / the database is not migrated: run make run first" >&2; exit 1; }
	exec $(MANAGE) db_worker

bench: venv ## 运行基准测试 B0–B4、B8–B13（SQLite），结果写入 var/bench/ / run benchmarks B0–B4, B8–B13 on SQLite
	$(PY) bench/run.py

clean: ## 删除缓存与生成文件（保留 .env、.venv 与数据库）/ remove caches and build output
	find . -path ./.venv -prune -o -type d -name __pycache__ -print0 | xargs -0 rm -rf
	rm -rf .pytest_cache .ruff_cache .hypothesis var/static var/bench/*.sqlite3*

# --- 内部步骤 / building blocks used by the targets above ---

venv: ## 创建 .venv 并安装运行依赖 / create .venv with Python 3.13 and requirements.txt
	@scripts/ensure-venv.sh run

venv-dev: ## 安装测试与检查依赖 / install requirements-dev.txt into .venv
	@scripts/ensure-venv.sh dev

env: ## 生成 .env（随机密钥，不覆盖已有）/ create .env with random keys if absent
	@$(PY) scripts/make-env.py

browser: ## 确保已安装 Debian 的 Chromium（浏览器测试用）/ make sure Debian's chromium is installed
	@scripts/ensure-browser.sh
