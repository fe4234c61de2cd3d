/* The oddport statistics: "tshark -z oddport[,FILTER]" and the Statistics menu tree. */
#ifndef TAP_ODDPORT_H
#define TAP_ODDPORT_H

/* Registers both with Wireshark; called once, when the plugin's taps are registered. */
void register_tap_listener_oddport(void);

#endif
