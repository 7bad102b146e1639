"""Source readers: each turns one input (Terraform via Checkov's graph, plan JSON, a CloudFormation
template, a network inventory) into ``Resource`` records with resolved values."""
