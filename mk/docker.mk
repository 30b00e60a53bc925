# `make test-docker`: the image built from docker/Dockerfile and run, alone and as the compose sidecar
# (tests/docker/). Uses Debian's docker.io and docker-compose, installed if missing; starts dockerd if no
# daemon answers. No image registry is assumed reachable: the base image is made locally with debootstrap
# (docker/base-image.sh; made once, reused after) and the build uses the legacy builder (no buildx).
# Containers run on the host network only; the tests remove what they made.
VENV ?= .venv
DOCKER := /usr/bin/docker
DOCKER_COMPOSE := /usr/bin/docker-compose
DOCKER_BASE_IMAGE ?= arm-emulator-base:bookworm
DOCKER_TEST_IMAGE ?= arm-emulator:test
# A package index other than PyPI for pip inside the build, if this machine's pip is pointed at one.
DOCKER_BUILD_ARGS := --build-arg PYTHON_IMAGE=$(DOCKER_BASE_IMAGE)$(if $(PIP_INDEX_URL), --build-arg PIP_INDEX_URL=$(PIP_INDEX_URL))

.PHONY: test-docker docker-daemon docker-test-image

docker-daemon:
	@test -x $(DOCKER) -a -x $(DOCKER_COMPOSE) || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y docker.io docker-compose; }
	@$(DOCKER) info >/dev/null 2>&1 || { \
		log=$$(mktemp -t dockerd.XXXXXX.log); echo "starting dockerd (log: $$log)"; \
		nohup dockerd >$$log 2>&1 & \
		for _ in $$(seq 120); do $(DOCKER) info >/dev/null 2>&1 && break; sleep 0.5; done; \
		$(DOCKER) info >/dev/null || { tail -30 $$log; exit 1; }; }

# The build's RUN steps use the host network too (pip reaches the package index from there).
docker-test-image: docker-daemon
	DOCKER=$(DOCKER) docker/base-image.sh $(DOCKER_BASE_IMAGE)
	DOCKER_BUILDKIT=0 $(DOCKER) build --network host $(DOCKER_BUILD_ARGS) -f docker/Dockerfile -t $(DOCKER_TEST_IMAGE) .
	$(DOCKER) image ls $(DOCKER_TEST_IMAGE)

test-docker: $(STAMP) docker-test-image
	ARM_EMULATOR_DOCKER=$(DOCKER) ARM_EMULATOR_DOCKER_COMPOSE=$(DOCKER_COMPOSE) \
	ARM_EMULATOR_DOCKER_IMAGE=$(DOCKER_TEST_IMAGE) ARM_EMULATOR_DOCKER_BASE_IMAGE=$(DOCKER_BASE_IMAGE) \
		$(VENV)/bin/python -m pytest -m docker -rP tests/docker
