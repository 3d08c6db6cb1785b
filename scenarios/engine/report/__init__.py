"""Assessment report skeleton: a data model (sections, tables, figure specs) and PNG figures.

The shell renders the model to HTML/PDF with Django templates; this package never does.
"""
