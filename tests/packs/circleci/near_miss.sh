# ok: deployment_runs_in_ci
echo "aws-ecs is described in the wiki"
