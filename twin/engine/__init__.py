"""Pure city-information-model engine: readers, imputation, exporters. No Django here."""
