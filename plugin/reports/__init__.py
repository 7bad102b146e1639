"""Reports rendered from Checkov's reports and the findings' structured details: markdown, SARIF."""
