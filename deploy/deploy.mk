# Deploying to AWS (README.md, "Deploy"). Included by the Makefile.
#
# aws-sam-cli and checkov each live in their own virtual environment (.venv-sam, .venv-checkov),
# installed from the locks deploy/requirements-sam.txt and deploy/requirements-checkov.txt (every
# package with its hashes; `make lock` writes them from the .in files): both pin boto3, cfn-lint
# and more apart from the project's own pins. `make test` creates them first (the template tests
# run them); a stamp keeps that instant once they are there.
SAM_VENV := .venv-sam
CHECKOV_VENV := .venv-checkov
SAM_STAMP := $(SAM_VENV)/.installed
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
SAM := SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam

SERVICES := job_service cluster_service monitor_service
SERVICE ?=
STACK_PREFIX ?= emr-control-plane
REGION ?= $(or $(AWS_REGION),$(AWS_DEFAULT_REGION),us-east-1)
# Extra `Key=Value` parameter overrides, e.g. PARAMETERS="AlarmTopicArn=arn:aws:sns:..."
PARAMETERS ?=
SHARED_PARAMETERS ?=

stack_name = $(if $(filter shared,$(1)),$(STACK_PREFIX),$(STACK_PREFIX)-$(subst _,-,$(1)))
template_of = $(if $(filter shared,$(1)),template.yaml,services/$(1)/template.yaml)
overrides = $(if $(filter shared,$(1)),$(SHARED_PARAMETERS),SharedStackName=$(STACK_PREFIX) $(PARAMETERS))

.PHONY: deploy-tools templates package deploy deploy-all teardown

# A venv of its own: created once, reinstalled when its requirements change. The '*' .gitignore
# inside keeps it out of git.
define tool_venv
	@test -x $(1)/bin/python || $(PYTHON) -m venv $(1) || python3 -m venv $(1)
	@echo '*' > $(1)/.gitignore
	$(1)/bin/python $(PIP_INSTALL) --upgrade pip==25.3
	$(1)/bin/python $(LOCKED) -r $(2)
	@touch $(1)/.installed
endef

$(SAM_STAMP): deploy/requirements-sam.txt
	$(call tool_venv,$(SAM_VENV),deploy/requirements-sam.txt)

$(CHECKOV_STAMP): deploy/requirements-checkov.txt
	$(call tool_venv,$(CHECKOV_VENV),deploy/requirements-checkov.txt)

## Create (or update) the aws-sam-cli and checkov virtual environments.
deploy-tools: $(SAM_STAMP) $(CHECKOV_STAMP)

test: $(SAM_STAMP) $(CHECKOV_STAMP)

## Render each service template's rules and queues from services/<name>/subscriptions.py.
templates: $(STAMP)
	$(PY) -m deploy.consumers

## Build every stack offline (no Docker, no AWS): deployable templates in build/sam/<name>/.
package: $(SAM_STAMP)
	$(SAM) build --template-file template.yaml --build-dir build/sam/shared
	@for service in $(SERVICES); do \
		echo "$(SAM) build --template-file services/$$service/template.yaml --build-dir build/sam/$$service"; \
		$(SAM) build --template-file services/$$service/template.yaml --build-dir build/sam/$$service || exit 1; \
	done

## Deploy one stack: make deploy SERVICE=shared|job_service|cluster_service|monitor_service
deploy: $(SAM_STAMP)
	@test -n "$(filter shared $(SERVICES),$(SERVICE))" || \
		{ echo "make deploy SERVICE=<shared|job_service|cluster_service|monitor_service>"; exit 2; }
	$(SAM) build --template-file $(call template_of,$(SERVICE)) --build-dir build/sam/$(SERVICE)
	$(SAM) deploy --template-file build/sam/$(SERVICE)/template.yaml \
		--stack-name $(call stack_name,$(SERVICE)) --region $(REGION) --resolve-s3 \
		--capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND --no-fail-on-empty-changeset \
		$(if $(strip $(call overrides,$(SERVICE))),--parameter-overrides $(call overrides,$(SERVICE)))

## Deploy the shared stack, then the three services.
deploy-all:
	$(foreach stack,shared $(SERVICES),$(MAKE) --no-print-directory deploy SERVICE=$(stack) &&) true

## Delete the service stacks, then the shared stack (event-store tables and user pools are kept).
teardown: $(SAM_STAMP)
	$(foreach stack,$(SERVICES) shared,$(SAM) delete --no-prompts --region $(REGION) \
		--stack-name $(call stack_name,$(stack)) &&) true
	@echo "Kept: each service's event-store table and the two user pools (DeletionPolicy Retain)."
