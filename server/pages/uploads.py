"""A form that carries one document besides its fields (works without JavaScript): the file
is stored first; if another field then fails, the accepted file stays attached (a hidden
`<field>_id`) and is shown by name, so nothing is uploaded twice. A form saves all or
nothing: when its file is refused (or a date cannot be read), the entry is not saved
without it (`refused_before_saving`), and the form comes back with what was typed."""

from __future__ import annotations

from starlette.datastructures import FormData, UploadFile

from server.context import Context
from server.domain.errors import DomainError
from server.i18n import gettext
from server.resolvers.kernel import documents


async def upload_from_form(ctx: Context, form: FormData, field: str,
                           kind: str) -> tuple[dict | None, str | None]:
    """({"id", "name"} of the document, or None; an error message, or None)."""
    upload = form.get(field)
    try:
        if isinstance(upload, UploadFile) and upload.filename:
            document = await documents.store_upload(ctx, kind, upload.filename, upload.file)
            return {"id": str(document.id), "name": document.original_name}, None
        kept = str(form.get(f"{field}_id") or "")
        if kept:
            [document] = await documents.owned_documents(ctx.account, [kept], field)
            return {"id": str(document.id), "name": document.original_name}, None
    except DomainError as error:
        problem = error.problems[0]
        return None, gettext(ctx.lang, problem.msgid, **problem.params)
    return None, None


def refused_before_saving(page_errors: dict, **upload_errors: str | None) -> dict:
    """The problems the page found itself (a date it could not read, a file refused, by the
    field to show it on): when there is any, the form's mutation must not run, so nothing
    is saved half (an entry without its certificate, an ongoing job for a mistyped end)."""
    found = {**page_errors, **{k: v for k, v in upload_errors.items() if v}}
    page_errors.update(found)
    return found
