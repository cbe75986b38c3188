# ok: deployment_runs_in_ci
echo "kubernetesDeploy is a Jenkins step"
