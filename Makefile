# Knotenpunkt: `make run` starts everything with embedded defaults, `make test` tests it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)

.PHONY: install run test test-unit test-integration test-deploy lint format images image gateway-config bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

run: install ## start all four services and workers (embedded PostgreSQL, filesystem broker)
	$(BIN)/knotenpunkt run

images: ## Docker engine and the PostgreSQL/RabbitMQ test images
	bash deploy/test-infra.sh

image: install images ## the application image from a wheelhouse (IMAGE, BASE_IMAGE); prints size and start time
	PYTHON=$(BIN)/python bash deploy/images/app/build.sh

gateway-config: install ## print the nginx gateway configuration generated from the four OpenAPI documents
	$(BIN)/knotenpunkt gateway-config

test: install images ## unit and integration tests (real PostgreSQL and RabbitMQ via testcontainers)
	TESTCONTAINERS_RYUK_DISABLED=true $(BIN)/pytest tests

test-deploy: install images ## the deployment tests only (image, compose stack through the gateway)
	TESTCONTAINERS_RYUK_DISABLED=true $(BIN)/pytest tests/deploy

test-unit: install
	$(BIN)/pytest tests/unit

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf var/broker var/mail
