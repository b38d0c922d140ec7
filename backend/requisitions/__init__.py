"""Ward requisitions: request, approve, fulfil through stock, receive, use on a patient, report."""
