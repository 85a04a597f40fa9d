import Session
