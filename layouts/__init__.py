"""Pure component trees: ``layout(lang, query)`` functions and figure builders."""
