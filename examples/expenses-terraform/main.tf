# Expense reports: submitted reports are published on SNS; the reporting application receives them with card
# numbers and employee IDs masked, the payment application unchanged. An approval workflow runs per report.

variable "stage" {
  type    = string
  default = "dev"
}

variable "processing_lambda_arn" {
  type = string
}

locals {
  reporting_filter = {
    report_status = ["approved", "paid"]
    # Deliberate mistake 4: "prefix" matches strings; 2026 is a number.
    fiscal_year = [{ prefix = 2026 }]
  }
}

resource "aws_sns_topic" "expense_reports" {
  name = "expense-reports-${var.stage}"
}

# The expense-report scenario: mask CreditCardNumber and the custom MyCompanyEmployeeId on delivery to the
# reporting role.
resource "aws_sns_topic_data_protection_policy" "expense_reports" {
  arn    = aws_sns_topic.expense_reports.arn
  policy = file("${path.module}/policies/expense-report-masking.json")
}

resource "aws_sns_topic_subscription" "reporting" {
  topic_arn     = aws_sns_topic.expense_reports.arn
  protocol      = "sqs"
  endpoint      = "arn:aws:sqs:us-east-1:123456789012:expense-reporting"
  filter_policy = jsonencode(local.reporting_filter)
}

resource "aws_sns_topic_subscription" "payments" {
  topic_arn           = aws_sns_topic.expense_reports.arn
  protocol            = "sqs"
  endpoint            = "arn:aws:sqs:us-east-1:123456789012:expense-payments"
  filter_policy_scope = "MessageBody"
  filter_policy = jsonencode({
    report = {
      status = ["approved"]
      total  = [{ numeric = [">", 0, "<=", 50000] }]
    }
  })
}

resource "aws_cloudwatch_log_group" "expense_api" {
  name = "/expenses/${var.stage}/api"
}

# Deliberate mistake 5: CloudWatch Logs needs the same identifiers in the Audit and the Deidentify statement.
resource "aws_cloudwatch_log_data_protection_policy" "expense_api" {
  log_group_name = aws_cloudwatch_log_group.expense_api.name
  policy_document = <<-EOT
    {
      "Name": "expense-api-logs",
      "Version": "2021-06-01",
      "Statement": [
        {
          "Sid": "audit",
          "DataIdentifier": [
            "arn:aws:dataprotection::aws:data-identifier/CreditCardNumber",
            "arn:aws:dataprotection::aws:data-identifier/EmailAddress"
          ],
          "Operation": {"Audit": {"FindingsDestination": {}}}
        },
        {
          "Sid": "mask",
          "DataIdentifier": [
            "arn:aws:dataprotection::aws:data-identifier/CreditCardNumber"
          ],
          "Operation": {"Deidentify": {"MaskConfig": {}}}
        }
      ]
    }
  EOT
}

resource "aws_cloudwatch_event_rule" "report_submitted" {
  name = "expense-report-submitted-${var.stage}"
  event_pattern = jsonencode({
    source        = ["com.example.expenses"]
    "detail-type" = ["Expense Report Submitted"]
    detail = {
      total = [{ numeric = [">", 0] }]
      currency = [{ "anything-but" = ["XXX"] }]
    }
  })
}

resource "aws_sfn_state_machine" "expense_approval" {
  name     = "expense-approval-${var.stage}"
  role_arn = "arn:aws:iam::123456789012:role/expense-approval"
  definition = templatefile("${path.module}/expense-approval.asl.json.tftpl", {
    ProcessingLambda = var.processing_lambda_arn
    MaxAttempts      = 3
  })
}

resource "aws_lambda_event_source_mapping" "receipts" {
  event_source_arn = "arn:aws:sqs:us-east-1:123456789012:expense-receipts"
  function_name    = "expense-receipts-${var.stage}"
  filter_criteria {
    filter {
      pattern = jsonencode({ body = { kind = ["receipt"], amount = [{ numeric = [">", 0] }] } })
    }
  }
}
