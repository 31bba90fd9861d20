"""A read-write round trip through the Python client generated from the OpenAPI schema.

Run by scripts/check_api_contract.sh in the generator's throwaway venv, with the generated
package `careergraph_api_client` on PYTHONPATH and a live server:

    python scripts/api_client_round_trip.py BASE_URL USERNAME PASSWORD

Token, list, create, If-Match update, 412 on a stale ETag, 304, delete: each step prints
its status and the script exits 1 at the first answer the schema did not promise.
"""

import sys
from http import HTTPStatus

from careergraph_api_client import AuthenticatedClient, Client
from careergraph_api_client.api.v1 import (
    v1_auth_token_create,
    v1_occupations_create,
    v1_occupations_destroy,
    v1_occupations_list,
    v1_occupations_partial_update,
    v1_occupations_retrieve,
)
from careergraph_api_client.models import (
    AuthTokenRequest,
    OccupationDocument,
    OccupationDocumentRequest,
    PaginatedOccupationListList,
    PatchedOccupationDocumentRequest,
    Token,
    V1OccupationsListOrderingItem,
)

NEW_PROFILE = {
    "slug": "client-round-trip",
    "title": "Cable Jointer",
    "code": "49-9051",
    "summary": "Joins and terminates underground power cables.",
    "status": "published",
    "duties": [{"text": "Prepare cable ends."}, {"text": "Test the joint."}],
    "salary_bands": [{"level": "Entry", "annual_min": 45000, "annual_max": 60000}],
}


def expect(step, response, status, parsed_type=None):
    """Print the step; stop unless the status (and the parsed model's type) are the promised."""
    ok = response.status_code == status and (
        parsed_type is None or isinstance(response.parsed, parsed_type)
    )
    print(f"{'ok  ' if ok else 'FAIL'} {step}: {int(response.status_code)}")
    if not ok:
        print(f"     expected {int(status)}, body: {response.content[:500]!r}")
        sys.exit(1)
    return response.parsed


def main(base_url, username, password):
    anonymous = Client(base_url=base_url, raise_on_unexpected_status=True)
    token = expect(
        "token",
        v1_auth_token_create.sync_detailed(
            client=anonymous, body=AuthTokenRequest(username=username, password=password)
        ),
        HTTPStatus.OK,
        Token,
    )
    # The generated client sends `Authorization: Bearer <token>`.
    client = AuthenticatedClient(
        base_url=base_url, token=token.token, raise_on_unexpected_status=True
    )

    page = expect(
        "list",
        v1_occupations_list.sync_detailed(
            client=client, ordering=[V1OccupationsListOrderingItem("-title")]
        ),
        HTTPStatus.OK,
        PaginatedOccupationListList,
    )
    print(f"     {page.count} profiles, first {page.results[0].title!r}")

    created = v1_occupations_create.sync_detailed(
        client=client, body=OccupationDocumentRequest.from_dict(NEW_PROFILE)
    )
    document = expect("create", created, HTTPStatus.CREATED, OccupationDocument)
    if created.headers.get("Location") != document.url:
        print(f"FAIL Location {created.headers.get('Location')!r} is not {document.url!r}")
        sys.exit(1)
    first_etag = created.headers["ETag"]

    updated = v1_occupations_partial_update.sync_detailed(
        document.slug,
        client=client,
        body=PatchedOccupationDocumentRequest(title="Cable Jointer (HV)"),
        if_match=first_etag,
    )
    renamed = expect("update with If-Match", updated, HTTPStatus.OK, OccupationDocument)
    current_etag = updated.headers["ETag"]
    if renamed.title != "Cable Jointer (HV)" or renamed.id != document.id:
        print(f"FAIL the update did not stick: {renamed.title!r}, id {renamed.id}")
        sys.exit(1)

    expect(
        "update with the stale ETag is refused",
        v1_occupations_partial_update.sync_detailed(
            document.slug,
            client=client,
            body=PatchedOccupationDocumentRequest(title="Lost update"),
            if_match=first_etag,
        ),
        HTTPStatus.PRECONDITION_FAILED,
    )
    expect(
        "read with If-None-Match",
        v1_occupations_retrieve.sync_detailed(
            document.slug, client=client, if_none_match=current_etag
        ),
        HTTPStatus.NOT_MODIFIED,
    )
    expect(
        "delete with If-Match",
        v1_occupations_destroy.sync_detailed(document.slug, client=client, if_match=current_etag),
        HTTPStatus.NO_CONTENT,
    )
    expect(
        "read after delete",
        v1_occupations_retrieve.sync_detailed(document.slug, client=client),
        HTTPStatus.NOT_FOUND,
    )
    print("round trip complete")


if __name__ == "__main__":
    main(*sys.argv[1:4])
