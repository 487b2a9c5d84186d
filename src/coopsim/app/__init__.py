"""Layer 6, app: the classroom web app (Solara): the server, the app's model and the page. A
sibling of the workflows; neither imports the other."""

__all__: list[str] = []
