# ok: infra_provisioned_by_ci
gitlab-terraform plan
