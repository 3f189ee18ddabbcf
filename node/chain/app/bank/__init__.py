"""Accounts and bank: account numbers, sequences, public keys, ngonka balances, supply, MsgSend."""
