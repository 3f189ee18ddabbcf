"""Participants module: the registry of hosts and developers (MsgRegisterParticipant, MsgRegisterDeveloper)."""
