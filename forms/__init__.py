"""WTForms form classes, one module per area, rendered with govuk-frontend-wtf widgets."""
