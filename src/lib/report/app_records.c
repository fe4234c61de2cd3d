/* Each recognised app's own members of a flow record: what its detector found on either side. */
#include "oddport/record.h"

void oddport_describe_http(const OddportSideResult *client, const OddportSideResult *server,
                           const OddportRecordVisitor *visitor, void *data)
{
    const OddportHttpInfo *asked = client != NULL ? &client->info.http : NULL;
    const OddportHttpInfo *answered = server != NULL ? &server->info.http : NULL;
    oddport_record_text(visitor, "method", asked != NULL ? asked->method : NULL, data);
    oddport_record_text(visitor, "host", asked != NULL ? asked->host : NULL, data);
    oddport_record_text(visitor, "path", asked != NULL ? asked->path : NULL, data);
    oddport_record_text(visitor, "user_agent", asked != NULL ? asked->user_agent : NULL, data);
    if (answered != NULL && answered->status != 0)
        visitor->unsigned_integer("status", (uint64_t)answered->status, data);
    else
        visitor->null("status", data);
    /* The request's version is what the client speaks; a response alone says the server's. */
    const char *version = asked != NULL      ? asked->version
                          : answered != NULL ? answered->version
                                             : NULL;
    oddport_record_text(visitor, "version", version, data);
    if (asked != NULL || answered != NULL)
        visitor->boolean("h2c_prior_knowledge", asked != NULL && asked->is_h2c_prior_knowledge,
                         data);
    else
        visitor->null("h2c_prior_knowledge", data);
}

void oddport_describe_tls(const OddportSideResult *client, const OddportSideResult *server,
                          const OddportRecordVisitor *visitor, void *data)
{
    const OddportTlsInfo *offered = client != NULL ? &client->info.tls : NULL;
    const OddportTlsInfo *chosen = server != NULL ? &server->info.tls : NULL;
    bool seen = offered != NULL || chosen != NULL;
    /* The server's choice is the version in use; a ClientHello alone only says what was offered. */
    uint16_t version = chosen != NULL && chosen->version != 0 ? chosen->version
                       : offered != NULL                      ? offered->version
                                                              : 0;
    oddport_record_text(visitor, "version", oddport_tls_version_name(version), data);
    if (seen) {
        visitor->boolean("client_hello", offered != NULL && offered->handshake_type == 1, data);
        visitor->boolean("server_hello", chosen != NULL && chosen->handshake_type == 2, data);
        visitor->boolean("sslv2_compatible", offered != NULL && offered->sslv2_compatible, data);
    } else {
        visitor->null("client_hello", data);
        visitor->null("server_hello", data);
        visitor->null("sslv2_compatible", data);
    }
    oddport_record_text(visitor, "sni", offered != NULL ? offered->sni : NULL, data);
    visitor->begin_array("alpn", data);
    for (unsigned index = 0; offered != NULL && index < offered->alpn_count; index++)
        visitor->string(NULL, offered->alpn[index], data);
    visitor->end_array(data);
    oddport_record_text(visitor, "alpn_selected",
                        chosen != NULL && chosen->alpn_count > 0 ? chosen->alpn[0] : NULL, data);
}

void oddport_describe_ssh(const OddportSideResult *client, const OddportSideResult *server,
                          const OddportRecordVisitor *visitor, void *data)
{
    oddport_record_text(visitor, "client_banner", client != NULL ? client->info.ssh.banner : NULL,
                        data);
    oddport_record_text(visitor, "server_banner", server != NULL ? server->info.ssh.banner : NULL,
                        data);
}

const OddportAppRecord oddport_app_records[] = {
    {ODDPORT_APP_HTTP, "http", oddport_describe_http},
    {ODDPORT_APP_TLS, "tls", oddport_describe_tls},
    {ODDPORT_APP_SSH, "ssh", oddport_describe_ssh},
};
_Static_assert(sizeof oddport_app_records / sizeof oddport_app_records[0] ==
                   ODDPORT_APP_RECORD_COUNT,
               "oddport_app_records needs one row per recognised app");
