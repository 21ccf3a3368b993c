"""Data-protection policies (SNS and CloudWatch Logs): policy -> checked model -> redactor."""
